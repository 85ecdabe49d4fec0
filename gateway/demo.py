"""Demo users for a local run and for tests; every password is DEMO_PASSWORD."""
from gateway.users import add_user

DEMO_PASSWORD = "thads-demo"

DEMO_USERS = (
    ("vanthu79", "clerk", "79", "Nguyễn Thị Lan"),
    ("chv79", "officer", "79", "Trần Văn Minh"),
    ("truong79", "head", "79", "Lê Hoàng Nam"),
    ("vanthu01", "clerk", "01", "Phạm Thu Hà"),
    ("chv01", "officer", "01", "Đỗ Quang Huy"),
    ("truong01", "head", "01", "Vũ Thị Hương"),
)


def load_demo_users(session):
    """Create or reset the demo users; the caller commits SESSION."""
    for username, role, unit, full_name in DEMO_USERS:
        add_user(session, username, DEMO_PASSWORD, role, unit=unit,
                 full_name=full_name)
    add_user(session, "cuc", DEMO_PASSWORD, "central", scope=["all"],
             full_name="Hoàng Văn Cục")
    add_user(session, "hotro", DEMO_PASSWORD, "helpdesk", scope=["all"],
             full_name="Bùi Kỹ Thuật")
    add_user(session, "quantri", DEMO_PASSWORD, "admin", unit="79",
             full_name="Ngô Quản Trị")
