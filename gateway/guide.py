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
        "Bấm vào số quyết định để mở chi tiết quyết định.",
    )),
    ("tiep-nhan", "Tiếp nhận bản án, quyết định, yêu cầu", (
        "Chọn tệp JSON hoặc YAML theo định dạng nhập liệu rồi bấm Nhập tệp; "
        "hoặc điền biểu mẫu bản án đơn giản.",
        "Biểu mẫu nhận ngày dạng dd/mm/yyyy (ví dụ 25/09/2026) và số tiền "
        "có dấu chấm ngăn hàng nghìn (ví dụ 1.500.000); ô không bắt buộc có "
        "thể để trống.",
        "Bản án đã nhận trước đó được báo là trùng, không lưu lần thứ hai.",
        "Danh sách Hồ sơ đã nhận xếp theo ngày nhận, mới nhất trước; đơn yêu "
        "cầu hiện tên người yêu cầu và ngày làm đơn.",
    )),
    ("dinh-dang-nhap", "Định dạng tệp nhập liệu", (
        "Tệp JSON hoặc YAML, mã hóa UTF-8, tối đa 2 MB, chứa danh sách hồ sơ. "
        "Mỗi hồ sơ có trường record_type: judgment (bản án, quyết định), "
        "request (đơn yêu cầu) hoặc entrustment (quyết định ủy thác).",
        "Bản án bắt buộc có received_on (ngày nhận), receiving_unit (mã đơn "
        "vị nhận, ví dụ 79), mode_of_receipt (direct: trực tiếp, post: qua "
        "bưu chính, electronic: điện tử) và kind (loại bản án); các đương "
        "sự nằm trong parties, các khoản phải thi hành nằm trong obligations.",
        "Đơn yêu cầu bắt buộc có received_on, receiving_unit, request_date "
        "(ngày làm đơn), requester (người yêu cầu), judgment (bản án được yêu "
        "cầu thi hành) và obligation_refs (các khoản yêu cầu). Quyết định ủy "
        "thác có sending_unit (đơn vị ủy thác), decision_number, "
        "decision_date và debtors.",
        "Trong tệp, ngày ghi theo dạng YYYY-MM-DD (ví dụ 2026-09-25); số tiền "
        "ghi bằng chữ số, không có dấu chấm hay dấu phẩy (ví dụ \"1500000\"). "
        "Trường không có trong định dạng bị từ chối.",
        "Khi tệp có lỗi, trang hiện từng lỗi kèm vị trí trong tệp, ví dụ "
        "records.0.received_on là trường received_on của hồ sơ đầu tiên.",
    )),
    ("ban-an", "Chi tiết bản án và đề xuất", (
        "Hệ thống đề xuất các quyết định cần ra cho bản án. Bấm Lập dự thảo "
        "ở dòng đề xuất để tạo dự thảo quyết định.",
        "Dòng đề xuất đã có quyết định thì hiện số và trạng thái của quyết "
        "định đó thay cho nút Lập dự thảo; danh sách quyết định của bản án "
        "nằm dưới bảng đề xuất.",
    )),
    ("quyet-dinh", "Chi tiết quyết định: trình, trả lại, ký, ban hành", (
        "Chấp hành viên bấm Trình ký. Lãnh đạo đơn vị trả lại kèm ghi chú, "
        "hoặc ký; nếu ký quá hạn phải ghi lý do. Mỗi người chỉ thấy các nút "
        "mà vai trò của mình được dùng.",
        "Dự thảo không dùng nữa thì bấm Hủy bỏ dự thảo và ghi lý do; dự thảo "
        "đã hủy bỏ vẫn còn trong lịch sử.",
        "Nếu chưa ký được, trang hiện từng lỗi cần sửa trước khi ký.",
        "Bấm Ban hành để cấp số. Bấm hai lần hoặc gửi lại biểu mẫu không "
        "ban hành hai lần.",
        "Xem trước PDF bất cứ lúc nào; sau khi ban hành, PDF được cố định và "
        "liên kết đổi thành Xem PDF.",
        "Sau khi ban hành, trang hiện ngày ban hành cạnh số quyết định và "
        "liên kết tới dòng của quyết định trong sổ, ví dụ Sổ thụ lý thi hành "
        "án (Mẫu số 03). Dòng thường có trong sổ sau vài giây.",
    )),
    ("so", "Danh sách sổ", (
        "Trang Sổ liệt kê các sổ theo Thông tư 04/2023/TT-BTP, từ Mẫu số 01 "
        "đến Mẫu số 07, theo đơn vị và năm công tác, kèm số dòng đã vào sổ. "
        "Năm công tác 2027 chạy từ 01/10/2026 đến 30/09/2027.",
        "Hệ thống tự vào sổ khi tiếp nhận bản án, đơn yêu cầu, quyết định ủy "
        "thác và khi ban hành quyết định; không ai nhập tay hay sửa dòng đã "
        "vào sổ. Thu hồi, sửa đổi, hủy được ghi thêm vào cột Ghi chú.",
        "Mỗi đơn vị chỉ xem được sổ của mình; tài khoản Cục xem được sổ của "
        "mọi đơn vị. Liên kết Sổ thụ lý ở thanh trên cùng mở Mẫu số 03 của "
        "năm công tác hiện tại.",
    )),
    ("xem-so", "Xem sổ: lọc, phân trang, xuất Excel và PDF", (
        "Bảng có tiêu đề hai tầng như sổ in. Dòng kết sổ (chữ đỏ, có dòng "
        "Cộng) đứng sau dòng cuối của mỗi quý, 6 tháng và năm công tác đã "
        "kết thúc.",
        "Lọc theo ngày vào sổ, tên hoặc địa chỉ đương sự (gõ có dấu hoặc "
        "không dấu đều được), số bản án hoặc số quyết định (gõ 7 hoặc "
        "07/QĐ-THADS), rồi bấm Lọc. Khi đang lọc, dòng kết sổ không hiện. "
        "Bấm Bỏ lọc để xem lại cả sổ.",
        "Mỗi trang có 50 dòng; dùng Trang trước, Trang sau để chuyển trang.",
        "Bấm Xuất Excel hoặc Xuất PDF để tải toàn bộ sổ, kể cả dòng kết sổ; "
        "tệp tải về không áp dụng bộ lọc.",
    )),
    ("trung-uong", "Trang của Cục Quản lý THADS", (
        "Xem số quyết định theo đơn vị, số dòng vào từng sổ của mỗi đơn vị "
        "trong kỳ 3, 6, 10 hoặc 12 tháng tính từ 01/10, các quyết định quá "
        "hạn và báo cáo số bị bỏ trống. Tài khoản Cục chỉ được xem, không "
        "được thay đổi.",
    )),
    ("muc-bao-loi", "Báo lỗi", (
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
