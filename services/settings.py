"""The one reader of environment variables: every setting, its default and its meaning."""

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration from the environment (prefix-free names, as documented in the README)."""

    model_config = SettingsConfigDict(env_file='.env', extra='ignore')

    database_url: str = ''  # empty: SQLite file in data_dir
    redis_url: str = ''  # empty: in-process event bus
    event_channel: str = 'scc:events'  # Redis pub/sub channel shared by the processes of one deployment
    bench_mode: bool = False  # lets bench/_app.py add its /_bench routes; never enable in production
    data_dir: Path = ROOT / 'data'
    host: str = '0.0.0.0'
    port: int = 8080
    storage_secret: str = 'change-me-in-production-spring-city'
    demo_mode: bool = True  # shows one-time codes on screen and seeds the demo city
    seed_demo: bool = True
    default_language: str = 'zh-CN'
    city: str = 'jinan'
    reconnect_timeout: float = 45.0
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_per_minute: int = 1
    otp_per_hour: int = 10
    login_max_failures: int = 5  # wrong staff passwords (one username, one address) before the waits begin
    pass_retention_days: int = 28
    map_tile_url: str = 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png'
    gc_freeze: bool = True
    # -- security (docs/security.md) ------------------------------------------------------------------------------
    session_hours_staff: float = 12.0  # a staff sign-in lasts a working day
    session_days_resident: float = 30.0  # residents stay signed in on their own phone
    secure_cookies: bool = False  # true when served over TLS: Secure cookies and HSTS
    allowed_origins: str = ''  # comma-separated origins a websocket may come from; empty: the host that served it
    max_body_bytes: int = 8_000_000  # request bodies above this are refused before they are read (uploads)
    max_image_pixels: int = 25_000_000  # an uploaded image above this many pixels is refused before decoding
    otp_per_address_hour: int = 30  # one-time codes one client address may ask for in an hour (any phones)
    otp_phones_per_session_hour: int = 3  # different phones one browser session may ask codes for in an hour
    login_failures_per_address_hour: int = 20  # wrong staff passwords from one address before it must wait
    login_delay_seconds: float = 1.0  # the first wait once the free tries are used up; it doubles with each one

    @cached_property
    def effective_database_url(self) -> str:
        """The database URL in force: DATABASE_URL, or the embedded SQLite file."""
        if self.database_url:
            url = self.database_url
            # SQLAlchemy's default PostgreSQL driver is psycopg2; we ship psycopg 3.
            if url.startswith('postgresql://') or url.startswith('postgres://'):
                url = 'postgresql+psycopg://' + url.split('://', 1)[1]
            return url
        return f'sqlite:///{self.data_dir / "spring-city.db"}'


settings = Settings()
