"""The user guide (Hướng dẫn sử dụng): one section per page, with anchors."""
from gateway.html import Markup

SECTIONS = (
    ("dang-nhap", "Đăng nhập", (
        "Nhập tên đăng nhập và mật khẩu do quản trị cấp. Sau 5 lần nhập sai "
        "trong 15 phút, tài khoản tạm bị khóa đăng nhập 15 phút.",
        "Phiên làm việc tự kết thúc khi không thao tác trong 30 phút.",
    )),
    ("trang-chu", "Trang chủ: danh sách quyết định", (
        "Dòng màu đỏ là quyết định đã quá hạn ra quyết định; dòng màu cam "
        "còn không quá 1 ngày làm việc.",
        "Bấm vào số hoặc trạng thái để mở chi tiết quyết định.",
    )),
    ("tiep-nhan", "Tiếp nhận bản án, quyết định, yêu cầu", (
        "Chọn tệp JSON hoặc YAML theo định dạng nhập liệu rồi bấm Nhập tệp; "
        "hoặc điền biểu mẫu bản án đơn giản.",
        "Bản án đã nhận trước đó được báo là trùng, không lưu lần thứ hai.",
    )),
    ("ban-an", "Chi tiết bản án và đề xuất", (
        "Hệ thống đề xuất các quyết định cần ra cho bản án. Bấm Lập dự thảo "
        "ở dòng đề xuất để tạo dự thảo quyết định.",
    )),
    ("quyet-dinh", "Chi tiết quyết định: trình, trả lại, ký, ban hành", (
        "Chấp hành viên bấm Trình ký. Lãnh đạo đơn vị trả lại kèm ghi chú, "
        "hoặc ký; nếu ký quá hạn phải ghi lý do.",
        "Bấm Ban hành để cấp số. Bấm hai lần hoặc gửi lại biểu mẫu không "
        "ban hành hai lần.",
        "Xem trước PDF bất cứ lúc nào; sau khi ban hành, PDF được cố định.",
    )),
    ("trung-uong", "Trang của Cục Quản lý THADS", (
        "Xem số quyết định theo đơn vị, các quyết định quá hạn và báo cáo số "
        "bị bỏ trống. Tài khoản Cục chỉ được xem, không được thay đổi.",
    )),
    ("bao-loi", "Báo lỗi", (
        "Nút Báo lỗi ở thanh trên cùng sẽ dùng để báo sự cố cho bộ phận hỗ "
        "trợ; chức năng này đang được hoàn thiện.",
    )),
)


def guide_body():
    toc = Markup("").join(
        Markup('<li><a href="#{}">{}</a></li>').format(anchor, title)
        for anchor, title, _ in SECTIONS)
    parts = [Markup("<ul>{}</ul>").format(toc)]
    for anchor, title, paragraphs in SECTIONS:
        text = Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs)
        parts.append(Markup('<section id="{}"><h2>{}</h2>{}</section>').format(
            anchor, title, text))
    return Markup("").join(parts)
