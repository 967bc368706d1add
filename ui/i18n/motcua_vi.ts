<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../detail.py" line="66"/>
        <source>OK</source>
        <translation>Đồng ý</translation>
    </message>
    <message>
        <location filename="../detail.py" line="67"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>AttachmentList</name>
    <message>
        <location filename="../widgets.py" line="269"/>
        <location filename="../widgets.py" line="307"/>
        <source>Drop scanned files (PDF, JPEG, PNG) here</source>
        <translation>Kéo thả tệp scan (PDF, JPEG, PNG) vào đây</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="273"/>
        <source>Attach &amp;file…</source>
        <translation>Đính kè&amp;m tệp…</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="274"/>
        <source>Remove file</source>
        <translation>Bỏ tệp</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="328"/>
        <source>PDF document: %1</source>
        <translation>Tài liệu PDF: %1</translation>
    </message>
</context>
<context>
    <name>BarChart</name>
    <message>
        <location filename="../reportview.py" line="55"/>
        <source>No data</source>
        <translation>Không có dữ liệu</translation>
    </message>
</context>
<context>
    <name>CheckedPage</name>
    <message>
        <location filename="../wizard.py" line="82"/>
        <source>Please correct the fields marked in red.</source>
        <translation>Vui lòng sửa các ô được đánh dấu đỏ.</translation>
    </message>
</context>
<context>
    <name>ChecklistTable</name>
    <message>
        <location filename="../widgets.py" line="128"/>
        <source>Rcvd</source>
        <translation>Đã nhận</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="128"/>
        <source>Document</source>
        <translation>Giấy tờ</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="129"/>
        <source>Form</source>
        <translation>Hình thức</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="129"/>
        <source>Count</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="140"/>
        <source>Keyboard: ↑/↓ choose a document, Space ticks it, ←/→ change its form, + / − or a digit set the count, F2 edits the name.</source>
        <translation>Bàn phím: ↑/↓ chọn giấy tờ, phím cách để đánh dấu đã nhận, ←/→ đổi hình thức, + / − hoặc một chữ số để đổi số bản, F2 để sửa tên.</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="143"/>
        <source>&amp;Add document</source>
        <translation>T&amp;hêm giấy tờ</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="144"/>
        <source>Remove document</source>
        <translation>Bỏ giấy tờ</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="187"/>
        <source>Original</source>
        <translation>Bản chính</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="187"/>
        <source>Certified copy</source>
        <translation>Bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="188"/>
        <source>Copy</source>
        <translation>Bản sao</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="188"/>
        <source>Shown (to compare)</source>
        <translation>Xuất trình (đối chiếu)</translation>
    </message>
</context>
<context>
    <name>Common</name>
    <message>
        <location filename="../qtutil.py" line="65"/>
        <source>OK</source>
        <translation>Đồng ý</translation>
    </message>
    <message>
        <location filename="../qtutil.py" line="149"/>
        <location filename="../qtutil.py" line="200"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>DetailPage</name>
    <message>
        <location filename="../detail.py" line="136"/>
        <source>Open a dossier from the search screen (Ctrl+F).</source>
        <translation>Mở một hồ sơ từ màn hình tra cứu (Ctrl+F).</translation>
    </message>
    <message>
        <location filename="../detail.py" line="146"/>
        <source>Applicant:</source>
        <translation>Người nộp:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="146"/>
        <source>Citizen ID:</source>
        <translation>Số định danh:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="147"/>
        <source>Date of birth:</source>
        <translation>Ngày sinh:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="147"/>
        <source>Phone:</source>
        <translation>Điện thoại:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="148"/>
        <source>Address:</source>
        <translation>Địa chỉ:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="148"/>
        <source>Procedure:</source>
        <translation>Thủ tục:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="149"/>
        <source>Documents:</source>
        <translation>Thành phần hồ sơ:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="149"/>
        <source>Fee:</source>
        <translation>Phí, lệ phí:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="150"/>
        <source>Received:</source>
        <translation>Tiếp nhận:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="151"/>
        <source>Appointment:</source>
        <translation>Hẹn trả:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="151"/>
        <source>Clerk:</source>
        <translation>Cán bộ tiếp nhận:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="152"/>
        <source>Scanned files:</source>
        <translation>Tệp scan:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="158"/>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="162"/>
        <source>Time</source>
        <translation>Thời điểm</translation>
    </message>
    <message>
        <location filename="../detail.py" line="162"/>
        <source>Event</source>
        <translation>Sự kiện</translation>
    </message>
    <message>
        <location filename="../detail.py" line="163"/>
        <source>From</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <location filename="../detail.py" line="163"/>
        <source>By</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <location filename="../detail.py" line="164"/>
        <source>Synced</source>
        <translation>Đã đồng bộ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="168"/>
        <source>Timeline</source>
        <translation>Quá trình xử lý</translation>
    </message>
    <message>
        <location filename="../detail.py" line="171"/>
        <location filename="../detail.py" line="289"/>
        <source>Signatures not checked yet.</source>
        <translation>Chưa kiểm tra chữ ký.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="173"/>
        <source>&amp;Check signatures</source>
        <translation>&amp;Kiểm tra chữ ký</translation>
    </message>
    <message>
        <location filename="../detail.py" line="175"/>
        <source>Signature and sync</source>
        <translation>Chữ ký số và đồng bộ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="183"/>
        <source>Request &amp;supplement…</source>
        <translation>Yêu cầu &amp;bổ sung…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="184"/>
        <source>Supplement recei&amp;ved…</source>
        <translation>Đã nhận bổ s&amp;ung…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="185"/>
        <source>&amp;Return result…</source>
        <translation>&amp;Trả kết quả…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="186"/>
        <source>&amp;Withdrawal…</source>
        <translation>&amp;Rút hồ sơ…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="187"/>
        <source>Re&amp;print receipt…</source>
        <translation>&amp;In lại giấy tiếp nhận…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="188"/>
        <source>Control slip (04)</source>
        <translation>Phiếu kiểm soát (04)</translation>
    </message>
    <message>
        <location filename="../detail.py" line="248"/>
        <source>male</source>
        <translation>nam</translation>
    </message>
    <message>
        <location filename="../detail.py" line="248"/>
        <source>female</source>
        <translation>nữ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="257"/>
        <source>original</source>
        <translation>bản chính</translation>
    </message>
    <message>
        <location filename="../detail.py" line="257"/>
        <source>copy</source>
        <translation>bản sao</translation>
    </message>
    <message>
        <location filename="../detail.py" line="258"/>
        <source>certified copy</source>
        <translation>bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../detail.py" line="258"/>
        <source>shown</source>
        <translation>xuất trình</translation>
    </message>
    <message>
        <location filename="../detail.py" line="265"/>
        <source>(first: %1)</source>
        <translation>(hẹn lần đầu: %1)</translation>
    </message>
    <message>
        <location filename="../detail.py" line="274"/>
        <source>counter</source>
        <translation>quầy</translation>
    </message>
    <message>
        <location filename="../detail.py" line="274"/>
        <source>province</source>
        <translation>tỉnh</translation>
    </message>
    <message>
        <location filename="../detail.py" line="276"/>
        <source>waiting</source>
        <translation>đang chờ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="283"/>
        <source>All events sent to the province.</source>
        <translation>Mọi sự kiện đã được gửi lên tỉnh.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="284"/>
        <source>%1 event(s) waiting to be sent to the province.</source>
        <translation>%1 sự kiện đang chờ gửi lên tỉnh.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="287"/>
        <source>This dossier has contradictory events; ask the province to check them.</source>
        <translation>Hồ sơ có sự kiện mâu thuẫn; hãy đề nghị tỉnh kiểm tra.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="316"/>
        <location filename="../detail.py" line="325"/>
        <location filename="../detail.py" line="330"/>
        <source>Signature mismatch — run &apos;motcua verify&apos;</source>
        <translation>Không khớp chữ ký — chạy &apos;motcua verify&apos;</translation>
    </message>
    <message>
        <location filename="../detail.py" line="335"/>
        <source>Received at the counter</source>
        <translation>Tiếp nhận tại quầy</translation>
    </message>
    <message>
        <location filename="../detail.py" line="335"/>
        <source>Not accepted</source>
        <translation>Không tiếp nhận</translation>
    </message>
    <message>
        <location filename="../detail.py" line="336"/>
        <source>Forwarded for processing</source>
        <translation>Chuyển xử lý</translation>
    </message>
    <message>
        <location filename="../detail.py" line="336"/>
        <source>Processing</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <location filename="../detail.py" line="337"/>
        <source>Supplement requested</source>
        <translation>Yêu cầu bổ sung</translation>
    </message>
    <message>
        <location filename="../detail.py" line="338"/>
        <location filename="../detail.py" line="427"/>
        <source>Supplement received</source>
        <translation>Đã nhận bổ sung</translation>
    </message>
    <message>
        <location filename="../detail.py" line="339"/>
        <source>Fee requested</source>
        <translation>Yêu cầu nộp phí</translation>
    </message>
    <message>
        <location filename="../detail.py" line="339"/>
        <source>Fee paid</source>
        <translation>Đã nộp phí</translation>
    </message>
    <message>
        <location filename="../detail.py" line="340"/>
        <source>Withdrawn</source>
        <translation>Rút hồ sơ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="340"/>
        <source>Processing stopped</source>
        <translation>Dừng xử lý</translation>
    </message>
    <message>
        <location filename="../detail.py" line="341"/>
        <source>Result ready</source>
        <translation>Đã có kết quả</translation>
    </message>
    <message>
        <location filename="../detail.py" line="341"/>
        <source>Result returned</source>
        <translation>Đã trả kết quả</translation>
    </message>
    <message>
        <location filename="../detail.py" line="342"/>
        <source>Submitted online</source>
        <translation>Nộp trực tuyến</translation>
    </message>
    <message>
        <location filename="../detail.py" line="349"/>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="311"/>
        <source>✔ Every signature is valid and the data matches.</source>
        <translation>✔ Mọi chữ ký hợp lệ và dữ liệu khớp.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="320"/>
        <source>✘ Not valid: </source>
        <translation>✘ Không hợp lệ: </translation>
    </message>
    <message>
        <location filename="../detail.py" line="375"/>
        <source>Done: %1 is now «%2».</source>
        <translation>Xong: hồ sơ %1 chuyển sang «%2».</translation>
    </message>
    <message>
        <location filename="../detail.py" line="386"/>
        <source>one missing document per line</source>
        <translation>mỗi dòng một giấy tờ còn thiếu</translation>
    </message>
    <message>
        <location filename="../detail.py" line="393"/>
        <source>Request supplement</source>
        <translation>Yêu cầu bổ sung hồ sơ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="394"/>
        <source>&amp;Missing documents:</source>
        <translation>&amp;Giấy tờ còn thiếu:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="395"/>
        <location filename="../detail.py" line="486"/>
        <location filename="../detail.py" line="503"/>
        <source>&amp;Reason:</source>
        <translation>&amp;Lý do:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="418"/>
        <source>Slip printed: %1</source>
        <translation>Đã in phiếu: %1</translation>
    </message>
    <message>
        <location filename="../detail.py" line="427"/>
        <source>&amp;Note:</source>
        <translation>&amp;Ghi chú:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="434"/>
        <source>The applicant</source>
        <translation>Người nộp hồ sơ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="435"/>
        <source>Authorised person</source>
        <translation>Người được ủy quyền</translation>
    </message>
    <message>
        <location filename="../detail.py" line="436"/>
        <source>At the counter</source>
        <translation>Tại quầy</translation>
    </message>
    <message>
        <location filename="../detail.py" line="437"/>
        <source>By post</source>
        <translation>Qua bưu chính</translation>
    </message>
    <message>
        <location filename="../detail.py" line="450"/>
        <source>Scan the recipient&apos;s citizen ID card to fill who takes the result.</source>
        <translation>Quét thẻ căn cước của người nhận để điền thông tin người nhận kết quả.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="463"/>
        <source>Card scanned: %1, %2.</source>
        <translation>Đã quét thẻ: %1, %2.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="469"/>
        <source>Return the result</source>
        <translation>Trả kết quả</translation>
    </message>
    <message>
        <location filename="../detail.py" line="470"/>
        <source>Handed to (&amp;name):</source>
        <translation>&amp;Họ tên người nhận:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="471"/>
        <source>Their citizen &amp;ID:</source>
        <translation>&amp;Số định danh người nhận:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="472"/>
        <source>&amp;Relation:</source>
        <translation>&amp;Quan hệ:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="473"/>
        <source>&amp;Method:</source>
        <translation>&amp;Hình thức trả:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="474"/>
        <source>N&amp;ote:</source>
        <translation>Gh&amp;i chú:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="485"/>
        <source>Record withdrawal</source>
        <translation>Ghi nhận rút hồ sơ</translation>
    </message>
    <message>
        <location filename="../detail.py" line="502"/>
        <source>Reprint the receipt</source>
        <translation>In lại giấy tiếp nhận</translation>
    </message>
</context>
<context>
    <name>DossierPageModel</name>
    <message>
        <location filename="../search.py" line="73"/>
        <source>Dossier code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <location filename="../search.py" line="73"/>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <location filename="../search.py" line="73"/>
        <source>Citizen ID</source>
        <translation>Số định danh</translation>
    </message>
    <message>
        <location filename="../search.py" line="74"/>
        <source>Procedure</source>
        <translation>Thủ tục</translation>
    </message>
    <message>
        <location filename="../search.py" line="74"/>
        <source>Received</source>
        <translation>Tiếp nhận</translation>
    </message>
    <message>
        <location filename="../search.py" line="74"/>
        <source>Appointment</source>
        <translation>Hẹn trả</translation>
    </message>
    <message>
        <location filename="../search.py" line="75"/>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location filename="../search.py" line="160"/>
        <source>Signature mismatch</source>
        <translation>Không khớp chữ ký</translation>
    </message>
    <message>
        <location filename="../search.py" line="174"/>
        <source>Signature mismatch — run &apos;motcua verify&apos;</source>
        <translation>Không khớp chữ ký — chạy &apos;motcua verify&apos;</translation>
    </message>
    <message>
        <location filename="../search.py" line="177"/>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <location filename="../search.py" line="179"/>
        <source>Due today</source>
        <translation>Đến hạn hôm nay</translation>
    </message>
</context>
<context>
    <name>HelpPage</name>
    <message>
        <location filename="../helppage.py" line="19"/>
        <source>New dossier (intake screen)</source>
        <translation>Hồ sơ mới (màn hình tiếp nhận)</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="20"/>
        <source>Save and sign the dossier</source>
        <translation>Lưu và ký số hồ sơ</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="21"/>
        <source>Print the receipt of the last saved dossier</source>
        <translation>In giấy tiếp nhận của hồ sơ vừa lưu</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="22"/>
        <source>Save, sign and print</source>
        <translation>Lưu, ký số và in</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="23"/>
        <source>QR scanner</source>
        <translation>Máy quét QR</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="23"/>
        <source>Scan the citizen ID card anywhere on the intake screen: name, ID, date of birth, gender and address are filled</source>
        <translation>Quét căn cước ở bất kỳ ô nào của màn hình tiếp nhận: họ tên, số định danh, ngày sinh, giới tính và địa chỉ được điền sẵn</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="26"/>
        <source>In a picker: show the matches / take the first one</source>
        <translation>Trong ô chọn: hiện danh sách / chọn mục đầu tiên</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="27"/>
        <source>Search dossiers</source>
        <translation>Tra cứu hồ sơ</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="28"/>
        <source>In the results: open the dossier</source>
        <translation>Trong kết quả: mở hồ sơ</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="29"/>
        <source>Home, Intake, Search, Dossier, Sync, Reports, Settings</source>
        <translation>Trang chủ, Tiếp nhận, Tra cứu, Hồ sơ, Đồng bộ, Báo cáo, Cài đặt</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="30"/>
        <source>Unlock the signing key</source>
        <translation>Mở khóa chữ ký số</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="31"/>
        <source>Lock the screen</source>
        <translation>Khóa màn hình</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="32"/>
        <source>underlined letter</source>
        <translation>chữ gạch chân</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="32"/>
        <source>Jump to that field or button</source>
        <translation>Chuyển tới ô hoặc nút đó</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="33"/>
        <source>This help</source>
        <translation>Trang trợ giúp này</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="34"/>
        <source>Quit</source>
        <translation>Thoát</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="37"/>
        <source>Keys</source>
        <translation>Phím</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="37"/>
        <source>What it does</source>
        <translation>Tác dụng</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="46"/>
        <source>Nothing typed is lost: the intake form is saved as a draft while you type and comes back after a restart. Work goes on offline; the status bar shows the link to the province.</source>
        <translation>Không mất dữ liệu đã nhập: biểu mẫu tiếp nhận được lưu nháp trong khi gõ và khôi phục sau khi khởi động lại. Mất mạng vẫn làm việc bình thường; thanh trạng thái cho biết kết nối với tỉnh.</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../home.py" line="38"/>
        <source>Received today</source>
        <translation>Tiếp nhận hôm nay</translation>
    </message>
    <message>
        <location filename="../home.py" line="39"/>
        <source>Due today</source>
        <translation>Đến hạn hôm nay</translation>
    </message>
    <message>
        <location filename="../home.py" line="40"/>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <location filename="../home.py" line="41"/>
        <source>Results to hand over</source>
        <translation>Kết quả chờ trả</translation>
    </message>
    <message>
        <location filename="../home.py" line="54"/>
        <source>&amp;New dossier (F2)</source>
        <translation>Hồ sơ &amp;mới (F2)</translation>
    </message>
    <message>
        <location filename="../home.py" line="55"/>
        <source>Re&amp;fresh</source>
        <translation>&amp;Làm mới</translation>
    </message>
    <message>
        <location filename="../home.py" line="62"/>
        <source>Today&apos;s work queue</source>
        <translation>Việc cần làm hôm nay</translation>
    </message>
    <message>
        <location filename="../home.py" line="79"/>
        <source>Hello, %1</source>
        <translation>Xin chào, %1</translation>
    </message>
</context>
<context>
    <name>IntakePage</name>
    <message>
        <location filename="../intake.py" line="696"/>
        <source>Scan the citizen ID card&apos;s QR code at any time: the fields fill themselves.</source>
        <translation>Quét mã QR trên thẻ căn cước bất cứ lúc nào: các ô sẽ tự điền.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="109"/>
        <source>dd/mm/yyyy</source>
        <translation>ngày/tháng/năm</translation>
    </message>
    <message>
        <location filename="../intake.py" line="111"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../intake.py" line="112"/>
        <source>Male</source>
        <translation>Nam</translation>
    </message>
    <message>
        <location filename="../intake.py" line="113"/>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
    <message>
        <location filename="../intake.py" line="120"/>
        <source>type to filter, e.g. ho chi minh</source>
        <translation>gõ để lọc, ví dụ: ho chi minh</translation>
    </message>
    <message>
        <location filename="../intake.py" line="122"/>
        <source>type to filter, e.g. sai gon</source>
        <translation>gõ để lọc, ví dụ: sai gon</translation>
    </message>
    <message>
        <location filename="../intake.py" line="124"/>
        <source>house number, street, hamlet</source>
        <translation>số nhà, đường, thôn/tổ</translation>
    </message>
    <message>
        <location filename="../intake.py" line="126"/>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <location filename="../intake.py" line="130"/>
        <source>Full &amp;name:</source>
        <translation>Họ &amp;và tên:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="131"/>
        <source>Citizen &amp;ID:</source>
        <translation>Số định &amp;danh:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="133"/>
        <source>Date of &amp;birth:</source>
        <translation>Ngày &amp;sinh:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="135"/>
        <source>&amp;Gender:</source>
        <translation>G&amp;iới tính:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="136"/>
        <source>P&amp;hone:</source>
        <translation>Điện th&amp;oại:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="137"/>
        <source>E-&amp;mail:</source>
        <translation>Thư điện tử (&amp;e-mail):</translation>
    </message>
    <message>
        <location filename="../intake.py" line="138"/>
        <source>Pro&amp;vince/city:</source>
        <translation>Tỉnh/thành &amp;phố:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="140"/>
        <source>Comm&amp;une/ward:</source>
        <translation>&amp;Xã/phường:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="142"/>
        <source>A&amp;ddress:</source>
        <translation>Địa &amp;chỉ:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="147"/>
        <source>This citizen&apos;s dossiers</source>
        <translation>Hồ sơ của công dân này</translation>
    </message>
    <message>
        <location filename="../intake.py" line="150"/>
        <location filename="../intake.py" line="730"/>
        <source>Scan a card or type a citizen ID to see the citizen&apos;s earlier dossiers here.</source>
        <translation>Quét thẻ hoặc nhập số định danh để xem các hồ sơ trước đây của công dân tại đây.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="164"/>
        <source>code or name without diacritics, e.g. khai sinh</source>
        <translation>mã hoặc tên không dấu, ví dụ: khai sinh</translation>
    </message>
    <message>
        <location filename="../intake.py" line="172"/>
        <source>In person</source>
        <translation>Trực tiếp</translation>
    </message>
    <message>
        <location filename="../intake.py" line="173"/>
        <location filename="../intake.py" line="188"/>
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
    <message>
        <location filename="../intake.py" line="174"/>
        <location filename="../intake.py" line="187"/>
        <source>By post</source>
        <translation>Qua bưu chính</translation>
    </message>
    <message>
        <location filename="../intake.py" line="187"/>
        <source>At the counter</source>
        <translation>Tại bộ phận một cửa</translation>
    </message>
    <message>
        <location filename="../intake.py" line="191"/>
        <source>Late entry: received earlier (outage)</source>
        <translation>Nhập bù: đã tiếp nhận trước đó (sự cố)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="196"/>
        <source>why it is entered late, e.g. power cut</source>
        <translation>lý do nhập bù, ví dụ mất điện</translation>
    </message>
    <message>
        <location filename="../intake.py" line="211"/>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <location filename="../intake.py" line="213"/>
        <source>&amp;Procedure:</source>
        <translation>&amp;Thủ tục:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="217"/>
        <source>&amp;Channel:</source>
        <translation>&amp;Kênh nộp:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="218"/>
        <source>Documents &amp;received:</source>
        <translation>Giấ&amp;y tờ đã nhận:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="220"/>
        <source>&amp;Sets:</source>
        <translation>Số &amp;bộ:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="221"/>
        <source>&amp;Fee (VND):</source>
        <translation>&amp;Lệ phí (đồng):</translation>
    </message>
    <message>
        <location filename="../intake.py" line="223"/>
        <source>Appointment:</source>
        <translation>Hẹn trả:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="224"/>
        <source>Scanned &amp;files:</source>
        <translation>Tệp sc&amp;an đính kèm:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="225"/>
        <source>Return &amp;method:</source>
        <translation>Hình thức t&amp;rả kết quả:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="228"/>
        <source>N&amp;ote:</source>
        <translation>&amp;Ghi chú:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="233"/>
        <source>Save &amp;&amp; sign  (Ctrl+S)</source>
        <translation>Lưu &amp;&amp; ký số  (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="235"/>
        <source>Print receipt  (Ctrl+P)</source>
        <translation>In giấy tiếp nhận  (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="236"/>
        <source>Save, sign &amp;&amp; print  (Ctrl+Enter)</source>
        <translation>Lưu, ký &amp;&amp; in  (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="237"/>
        <source>Clear form</source>
        <translation>Xóa biểu mẫu</translation>
    </message>
    <message>
        <location filename="../intake.py" line="238"/>
        <source>Refuse (form 03)…</source>
        <translation>Từ chối (mẫu 03)…</translation>
    </message>
    <message>
        <location filename="../intake.py" line="396"/>
        <source>Attach scanned documents</source>
        <translation>Đính kèm tài liệu scan</translation>
    </message>
    <message>
        <location filename="../intake.py" line="398"/>
        <source>Scanned documents (*.pdf *.jpg *.jpeg *.png)</source>
        <translation>Tài liệu scan (*.pdf *.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="438"/>
        <source>Late entry: %1</source>
        <translation>Nhập bù: %1</translation>
    </message>
    <message>
        <location filename="../intake.py" line="444"/>
        <source>Say why the dossier is entered late.</source>
        <translation>Hãy ghi lý do nhập bù hồ sơ.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="482"/>
        <source>The unfinished form was restored.</source>
        <translation>Đã khôi phục biểu mẫu đang nhập dở.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="560"/>
        <source>Please correct the fields marked in red.</source>
        <translation>Vui lòng sửa các ô được đánh dấu đỏ.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="589"/>
        <source>The dossier was not saved: unlock your signing key first (Session menu).</source>
        <translation>Hồ sơ chưa được lưu: hãy mở khóa chữ ký số trước (menu Phiên làm việc).</translation>
    </message>
    <message>
        <location filename="../intake.py" line="597"/>
        <source>Second open dossier</source>
        <translation>Hồ sơ thứ hai đang mở</translation>
    </message>
    <message>
        <location filename="../intake.py" line="598"/>
        <source>%1 already has an open dossier of this procedure: %2. Receive a second one?</source>
        <translation>%1 đã có một hồ sơ đang giải quyết của thủ tục này: %2. Vẫn tiếp nhận hồ sơ thứ hai?</translation>
    </message>
    <message>
        <location filename="../intake.py" line="601"/>
        <source>&amp;Receive anyway</source>
        <translation>&amp;Vẫn tiếp nhận</translation>
    </message>
    <message>
        <location filename="../intake.py" line="601"/>
        <source>&amp;Go back</source>
        <translation>&amp;Quay lại</translation>
    </message>
    <message>
        <location filename="../intake.py" line="620"/>
        <source>Not saved: </source>
        <translation>Chưa lưu: </translation>
    </message>
    <message>
        <location filename="../intake.py" line="621"/>
        <source>The form is kept.</source>
        <translation>Nội dung biểu mẫu vẫn được giữ.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="644"/>
        <source>Saved and signed: %1 — %2. Appointment: %3. Ctrl+P prints the receipt.</source>
        <translation>Đã lưu và ký số: %1 — %2. Hẹn trả: %3. Nhấn Ctrl+P để in giấy tiếp nhận.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="676"/>
        <source>(Ctrl+D adds the chosen procedure)</source>
        <translation>(Ctrl+D thêm thủ tục đang chọn)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="720"/>
        <source>Enter opens the dossier</source>
        <translation>Enter để mở hồ sơ</translation>
    </message>
    <message>
        <location filename="../intake.py" line="724"/>
        <source>%1 open, %2 closed (● open).</source>
        <translation>%1 đang giải quyết, %2 đã kết thúc (● đang giải quyết).</translation>
    </message>
    <message>
        <location filename="../intake.py" line="728"/>
        <source>No earlier dossier of this citizen here.</source>
        <translation>Công dân này chưa có hồ sơ nào tại đây.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="769"/>
        <source>Date of birth: type it as dd/mm/yyyy, e.g. 05/09/1990.</source>
        <translation>Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 05/09/1990.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="784"/>
        <source>This citizen already has an open dossier of this procedure: %1 (%2). Saving receives a second one.</source>
        <translation>Công dân này đã có hồ sơ đang giải quyết của thủ tục này: %1 (%2). Lưu sẽ tiếp nhận thêm một hồ sơ nữa.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="816"/>
        <source>Refuse the dossier (form 03)</source>
        <translation>Từ chối tiếp nhận hồ sơ (mẫu 03)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="817"/>
        <source>&amp;Reason for refusing:</source>
        <translation>&amp;Lý do từ chối:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="829"/>
        <source>Refusal %1 recorded and signed; slip: %2</source>
        <translation>Đã ghi và ký phiếu từ chối %1; phiếu: %2</translation>
    </message>
    <message>
        <location filename="../intake.py" line="840"/>
        <source>Clear the form</source>
        <translation>Xóa biểu mẫu</translation>
    </message>
    <message>
        <location filename="../intake.py" line="841"/>
        <source>Clear everything typed for this citizen?</source>
        <translation>Xóa toàn bộ nội dung đã nhập cho công dân này?</translation>
    </message>
    <message>
        <location filename="../intake.py" line="842"/>
        <source>&amp;Clear</source>
        <translation>&amp;Xóa</translation>
    </message>
    <message>
        <location filename="../intake.py" line="842"/>
        <source>&amp;Keep</source>
        <translation>&amp;Giữ lại</translation>
    </message>
    <message>
        <location filename="../intake.py" line="879"/>
        <source>Card scanned: %1, %2.</source>
        <translation>Đã quét thẻ: %1, %2.</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../login.py" line="47"/>
        <source>MotCua Counter</source>
        <translation>Quầy Một Cửa</translation>
    </message>
    <message>
        <location filename="../login.py" line="62"/>
        <source>&amp;Log in</source>
        <translation>Đăng &amp;nhập</translation>
    </message>
    <message>
        <location filename="../login.py" line="69"/>
        <source>&amp;Username:</source>
        <translation>&amp;Tên đăng nhập:</translation>
    </message>
    <message>
        <location filename="../login.py" line="69"/>
        <source>&amp;Password:</source>
        <translation>&amp;Mật khẩu:</translation>
    </message>
    <message>
        <location filename="../login.py" line="70"/>
        <source>Lan&amp;guage:</source>
        <translation>&amp;Ngôn ngữ:</translation>
    </message>
    <message>
        <location filename="../login.py" line="106"/>
        <source>DEMO: user %1, password %2 (test-only data).</source>
        <translation>DEMO: tài khoản %1, mật khẩu %2 (dữ liệu chỉ để thử).</translation>
    </message>
    <message>
        <location filename="../login.py" line="116"/>
        <source>Locked after %1 minutes without activity. Enter your password to continue.</source>
        <translation>Đã khóa sau %1 phút không thao tác. Nhập mật khẩu để tiếp tục.</translation>
    </message>
    <message>
        <location filename="../login.py" line="119"/>
        <source>Screen locked. Enter your password to continue; another clerk can log in with their own account.</source>
        <translation>Màn hình đã khóa. Nhập mật khẩu để tiếp tục; cán bộ khác có thể đăng nhập bằng tài khoản của mình.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../mainwindow.py" line="59"/>
        <location filename="../mainwindow.py" line="616"/>
        <source>MotCua Counter</source>
        <translation>Quầy Một Cửa</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="125"/>
        <source>Help</source>
        <translation>Trợ giúp</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="214"/>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="218"/>
        <source>&amp;Back up…</source>
        <translation>Sao &amp;lưu…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="218"/>
        <source>&amp;Restore…</source>
        <translation>&amp;Khôi phục…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="219"/>
        <source>Import &amp;catalogue…</source>
        <translation>Nhập &amp;danh mục thủ tục…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="219"/>
        <source>&amp;Quit</source>
        <translation>T&amp;hoát</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="214"/>
        <source>S&amp;ession</source>
        <translation>&amp;Phiên làm việc</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="220"/>
        <source>&amp;Unlock signing key…</source>
        <translation>&amp;Mở khóa chữ ký số…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="221"/>
        <source>&amp;Lock screen</source>
        <translation>&amp;Khóa màn hình</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="221"/>
        <source>Log &amp;out</source>
        <translation>Đăng &amp;xuất</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="215"/>
        <source>&amp;View</source>
        <translation>&amp;Xem</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="215"/>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="216"/>
        <source>&amp;Help</source>
        <translation>T&amp;rợ giúp</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="226"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Phím tắt</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="227"/>
        <source>&amp;About</source>
        <translation>&amp;Giới thiệu</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="109"/>
        <location filename="../mainwindow.py" line="228"/>
        <source>Home</source>
        <translation>Trang chủ</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="110"/>
        <location filename="../mainwindow.py" line="228"/>
        <source>Intake</source>
        <translation>Tiếp nhận</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="111"/>
        <location filename="../mainwindow.py" line="229"/>
        <source>Search</source>
        <translation>Tra cứu</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="112"/>
        <location filename="../mainwindow.py" line="229"/>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="113"/>
        <location filename="../mainwindow.py" line="230"/>
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="114"/>
        <location filename="../mainwindow.py" line="230"/>
        <source>Reports</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="122"/>
        <location filename="../mainwindow.py" line="231"/>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="222"/>
        <source>Change my &amp;password…</source>
        <translation>Đổi &amp;mật khẩu của tôi…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="223"/>
        <source>Larger text</source>
        <translation>Chữ to hơn</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="224"/>
        <source>Smaller text</source>
        <translation>Chữ nhỏ hơn</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="225"/>
        <source>Normal text size</source>
        <translation>Cỡ chữ bình thường</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="262"/>
        <source>About</source>
        <translation>Giới thiệu</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="262"/>
        <source>MotCua Counter %1 — dossier intake for commune public-administration service centres.</source>
        <translation>Quầy Một Cửa %1 — tiếp nhận hồ sơ tại Trung tâm phục vụ hành chính công cấp xã.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="329"/>
        <source>The counter is set up. Log in with the administrator account.</source>
        <translation>Đã thiết lập quầy. Hãy đăng nhập bằng tài khoản quản trị.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="432"/>
        <source>&amp;Current password:</source>
        <translation>Mật khẩu &amp;hiện tại:</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="433"/>
        <source>&amp;New password (8+ characters):</source>
        <translation>Mật khẩu &amp;mới (từ 8 ký tự):</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="434"/>
        <source>New password &amp;again:</source>
        <translation>&amp;Nhập lại mật khẩu mới:</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="444"/>
        <source>Change my password</source>
        <translation>Đổi mật khẩu</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="454"/>
        <source>Your password was changed.</source>
        <translation>Đã đổi mật khẩu của bạn.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="519"/>
        <source>DEMO certificate, password: %1</source>
        <translation>Chứng thư DEMO, mật khẩu: %1</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="523"/>
        <source>Unlock it again; the form is kept.</source>
        <translation>Hãy mở khóa lại; biểu mẫu vẫn được giữ.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="537"/>
        <source>Certificate expires soon</source>
        <translation>Chứng thư số sắp hết hạn</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="538"/>
        <source>Your signing certificate expires in %1 days. Ask IT to renew it.</source>
        <translation>Chứng thư số của bạn hết hạn sau %1 ngày. Hãy đề nghị bộ phận CNTT gia hạn.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="550"/>
        <source>Signing key locked</source>
        <translation>Chưa mở khóa chữ ký số</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="554"/>
        <source>Key: %1 — expires in %2 days, renew it!</source>
        <translation>Chữ ký: %1 — hết hạn sau %2 ngày, cần gia hạn!</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="557"/>
        <source>Key: %1 (%2 days left)</source>
        <translation>Chữ ký: %1 (còn %2 ngày)</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="570"/>
        <source>Receipt not printed: </source>
        <translation>Chưa in được giấy tiếp nhận: </translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="574"/>
        <source>No printer installed: receipt %1 saved as %2</source>
        <translation>Chưa cài máy in: giấy tiếp nhận %1 đã lưu thành %2</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="577"/>
        <source>Receipt %1 sent to the printer.</source>
        <translation>Đã gửi giấy tiếp nhận %1 tới máy in.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="589"/>
        <source>Receipt %1 reprinted.</source>
        <translation>Đã in lại giấy tiếp nhận %1.</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../reportview.py" line="113"/>
        <source>This &amp;month</source>
        <translation>Tháng &amp;này</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="114"/>
        <source>This &amp;year</source>
        <translation>&amp;Năm nay</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="115"/>
        <source>&amp;Build report</source>
        <translation>&amp;Lập báo cáo</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="116"/>
        <source>Export &amp;CSV…</source>
        <translation>Xuất &amp;CSV…</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="117"/>
        <source>Tracking &amp;book (05)</source>
        <translation>Sổ &amp;theo dõi (05)</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="118"/>
        <source>My &amp;day (end of day)</source>
        <translation>&amp;Cuối ngày của tôi</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="125"/>
        <source>Code</source>
        <translation>Mã</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="125"/>
        <source>Procedure</source>
        <translation>Thủ tục</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="126"/>
        <source>Received</source>
        <translation>Tiếp nhận</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="126"/>
        <source>On time</source>
        <translation>Đúng hạn</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="127"/>
        <source>Late</source>
        <translation>Trễ hạn</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="127"/>
        <source>Open overdue</source>
        <translation>Đang quá hạn</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="131"/>
        <source>&amp;From:</source>
        <translation>Từ &amp;ngày:</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="131"/>
        <source>&amp;To:</source>
        <translation>Đến n&amp;gày:</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="170"/>
        <source>Tracking book printed: %1</source>
        <translation>Đã in sổ theo dõi: %1</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="189"/>
        <source>%1 on %2: %3 received, %4 results returned, fees collected %5 VND.</source>
        <translation>%1 ngày %2: tiếp nhận %3 hồ sơ, trả %4 kết quả, thu lệ phí %5 đồng.</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="193"/>
        <source>End-of-day report: %1 · CSV: %2</source>
        <translation>Báo cáo cuối ngày: %1 · CSV: %2</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="225"/>
        <source>Report</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="225"/>
        <source>Counting dossiers…</source>
        <translation>Đang thống kê hồ sơ…</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="232"/>
        <source>Received: %1 · done on time: %2 · late: %3 · open and overdue: %4 · on-time rate: %5</source>
        <translation>Tiếp nhận: %1 · giải quyết đúng hạn: %2 · trễ hạn: %3 · đang quá hạn: %4 · tỷ lệ đúng hạn: %5</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="249"/>
        <source>Export report</source>
        <translation>Xuất báo cáo</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="252"/>
        <source>CSV files (*.csv)</source>
        <translation>Tệp CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="264"/>
        <source>Saved %1</source>
        <translation>Đã lưu %1</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <location filename="../search.py" line="219"/>
        <source>Name (no diacritics needed), citizen ID, phone or dossier code</source>
        <translation>Họ tên (gõ không dấu được), số định danh, điện thoại hoặc mã hồ sơ</translation>
    </message>
    <message>
        <location filename="../search.py" line="224"/>
        <source>All statuses</source>
        <translation>Mọi trạng thái</translation>
    </message>
    <message>
        <location filename="../search.py" line="228"/>
        <source>any procedure</source>
        <translation>mọi thủ tục</translation>
    </message>
    <message>
        <location filename="../search.py" line="229"/>
        <source>&amp;From</source>
        <translation>Từ &amp;ngày</translation>
    </message>
    <message>
        <location filename="../search.py" line="231"/>
        <source>&amp;To</source>
        <translation>Đến n&amp;gày</translation>
    </message>
    <message>
        <location filename="../search.py" line="242"/>
        <source>&amp;Search:</source>
        <translation>Tra &amp;cứu:</translation>
    </message>
    <message>
        <location filename="../search.py" line="248"/>
        <source>Stat&amp;us:</source>
        <translation>Trạng t&amp;hái:</translation>
    </message>
    <message>
        <location filename="../search.py" line="250"/>
        <source>&amp;Procedure:</source>
        <translation>&amp;Thủ tục:</translation>
    </message>
    <message>
        <location filename="../search.py" line="256"/>
        <source>Red: overdue · Yellow: due today · Enter opens the dossier</source>
        <translation>Đỏ: quá hạn · Vàng: đến hạn hôm nay · Enter để mở hồ sơ</translation>
    </message>
    <message>
        <location filename="../search.py" line="329"/>
        <source>Card: %1</source>
        <translation>Thẻ: %1</translation>
    </message>
    <message>
        <location filename="../search.py" line="363"/>
        <source>%1 dossiers</source>
        <translation>%1 hồ sơ</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../admin.py" line="77"/>
        <source>System default printer</source>
        <translation>Máy in mặc định của hệ thống</translation>
    </message>
    <message>
        <location filename="../admin.py" line="81"/>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <location filename="../admin.py" line="81"/>
        <source>A5</source>
        <translation>A5</translation>
    </message>
    <message>
        <location filename="../admin.py" line="82"/>
        <source>80 mm roll</source>
        <translation>Giấy cuộn 80 mm</translation>
    </message>
    <message>
        <location filename="../admin.py" line="88"/>
        <source> min</source>
        <translation> phút</translation>
    </message>
    <message>
        <location filename="../admin.py" line="92"/>
        <source>Ctrl+S also prints the receipt</source>
        <translation>Ctrl+S đồng thời in giấy tiếp nhận</translation>
    </message>
    <message>
        <location filename="../admin.py" line="93"/>
        <source>&amp;Save preferences</source>
        <translation>&amp;Lưu tùy chọn</translation>
    </message>
    <message>
        <location filename="../admin.py" line="94"/>
        <source>This counter</source>
        <translation>Quầy này</translation>
    </message>
    <message>
        <location filename="../admin.py" line="96"/>
        <source>Receipt &amp;printer:</source>
        <translation>&amp;Máy in giấy tiếp nhận:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="97"/>
        <source>Receipt &amp;layout:</source>
        <translation>&amp;Khổ giấy:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="98"/>
        <source>Cop&amp;ies:</source>
        <translation>Số &amp;liên:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="99"/>
        <source>&amp;Idle lock after:</source>
        <translation>Tự &amp;khóa sau:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="100"/>
        <source>Lan&amp;guage:</source>
        <translation>&amp;Ngôn ngữ:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="113"/>
        <source>Offline only (no gateway)</source>
        <translation>Chỉ làm việc ngoại tuyến (không có cổng kết nối)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="114"/>
        <source>Save &amp;gateway</source>
        <translation>Lưu &amp;cổng kết nối</translation>
    </message>
    <message>
        <location filename="../admin.py" line="117"/>
        <source>E&amp;nrol</source>
        <translation>Đăng &amp;ký quầy</translation>
    </message>
    <message>
        <location filename="../admin.py" line="120"/>
        <source>Provincial gateway</source>
        <translation>Cổng kết nối của tỉnh</translation>
    </message>
    <message>
        <location filename="../admin.py" line="123"/>
        <source>CA bundle:</source>
        <translation>Chứng thư CA:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="129"/>
        <source>Enrolment line:</source>
        <translation>Chuỗi đăng ký:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="145"/>
        <source>Username</source>
        <translation>Tên đăng nhập</translation>
    </message>
    <message>
        <location filename="../admin.py" line="145"/>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <location filename="../admin.py" line="146"/>
        <source>Role</source>
        <translation>Vai trò</translation>
    </message>
    <message>
        <location filename="../admin.py" line="146"/>
        <source>Locked</source>
        <translation>Bị khóa</translation>
    </message>
    <message>
        <location filename="../admin.py" line="154"/>
        <location filename="../admin.py" line="230"/>
        <source>Clerk</source>
        <translation>Cán bộ tiếp nhận</translation>
    </message>
    <message>
        <location filename="../admin.py" line="154"/>
        <location filename="../admin.py" line="230"/>
        <source>Supervisor</source>
        <translation>Giám sát</translation>
    </message>
    <message>
        <location filename="../admin.py" line="155"/>
        <location filename="../admin.py" line="231"/>
        <source>Administrator</source>
        <translation>Quản trị</translation>
    </message>
    <message>
        <location filename="../admin.py" line="159"/>
        <source>&amp;Add account</source>
        <translation>&amp;Thêm tài khoản</translation>
    </message>
    <message>
        <location filename="../admin.py" line="160"/>
        <source>Lock / unlock</source>
        <translation>Khóa / mở khóa</translation>
    </message>
    <message>
        <location filename="../admin.py" line="161"/>
        <source>Set &amp;password…</source>
        <translation>Đặt mật &amp;khẩu…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="162"/>
        <source>Bind &amp;certificate…</source>
        <translation>&amp;Gắn chứng thư ký…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="163"/>
        <source>Accounts</source>
        <translation>Tài khoản</translation>
    </message>
    <message>
        <location filename="../admin.py" line="167"/>
        <source>Username:</source>
        <translation>Tên đăng nhập:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="168"/>
        <source>Name:</source>
        <translation>Họ tên:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="169"/>
        <source>Role:</source>
        <translation>Vai trò:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="170"/>
        <source>Password:</source>
        <translation>Mật khẩu:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="185"/>
        <source>&amp;Back up…</source>
        <translation>Sao &amp;lưu…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="186"/>
        <source>&amp;Restore…</source>
        <translation>&amp;Khôi phục…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="187"/>
        <source>Import &amp;catalogue…</source>
        <translation>Nhập &amp;danh mục thủ tục…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="188"/>
        <source>Add &amp;trust anchor…</source>
        <translation>Thêm chứng thư &amp;gốc…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="189"/>
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../admin.py" line="277"/>
        <source>Gateway saved; sync uses it from now on.</source>
        <translation>Đã lưu cổng kết nối; đồng bộ dùng cổng này ngay từ bây giờ.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="279"/>
        <source>Gateway saved. This counter is not enrolled yet: paste the enrolment line from the province and press Enrol.</source>
        <translation>Đã lưu cổng kết nối. Quầy chưa đăng ký với cổng: dán chuỗi đăng ký do tỉnh cấp rồi bấm Đăng ký quầy.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="283"/>
        <source>Saved: this counter works offline only.</source>
        <translation>Đã lưu: quầy chỉ làm việc ngoại tuyến.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="287"/>
        <source>Enrolled with %1.</source>
        <translation>Đã đăng ký với %1.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="289"/>
        <source>Not enrolled: dossiers stay on this counter until it is enrolled with the provincial gateway.</source>
        <translation>Chưa đăng ký: hồ sơ được giữ tại quầy cho đến khi quầy đăng ký với cổng kết nối của tỉnh.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="309"/>
        <source>Enrolled with %1; sync starts now.</source>
        <translation>Đã đăng ký với %1; bắt đầu đồng bộ.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="352"/>
        <location filename="../admin.py" line="385"/>
        <source>Choose an account in the list first.</source>
        <translation>Hãy chọn một tài khoản trong danh sách trước.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="362"/>
        <source>New password for %1</source>
        <translation>Mật khẩu mới cho %1</translation>
    </message>
    <message>
        <location filename="../admin.py" line="363"/>
        <source>&amp;New password (8+ characters):</source>
        <translation>Mật khẩu &amp;mới (từ 8 ký tự):</translation>
    </message>
    <message>
        <location filename="../admin.py" line="372"/>
        <source>The password of %1 was set; ask them to change it after logging in.</source>
        <translation>Đã đặt mật khẩu cho %1; hãy nhắc người dùng đổi lại sau khi đăng nhập.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="388"/>
        <source>Signing certificate of %1</source>
        <translation>Chứng thư ký của %1</translation>
    </message>
    <message>
        <location filename="../admin.py" line="398"/>
        <source>Bind %1 to %2</source>
        <translation>Gắn %1 cho %2</translation>
    </message>
    <message>
        <location filename="../admin.py" line="400"/>
        <source>Your administrator &amp;password:</source>
        <translation>&amp;Mật khẩu quản trị của bạn:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="411"/>
        <source>Certificate %1 bound to %2.</source>
        <translation>Đã gắn chứng thư %1 cho %2.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="464"/>
        <source>Back up to</source>
        <translation>Sao lưu vào</translation>
    </message>
    <message>
        <location filename="../admin.py" line="465"/>
        <location filename="../admin.py" line="483"/>
        <source>Backups (*.motcua *.zip *)</source>
        <translation>Bản sao lưu (*.motcua *.zip *)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="470"/>
        <source>Wrong password.</source>
        <translation>Sai mật khẩu.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="473"/>
        <source>Back up</source>
        <translation>Sao lưu</translation>
    </message>
    <message>
        <location filename="../admin.py" line="474"/>
        <source>The backup holds every citizen&apos;s data and the accounts&apos; password hashes. Keep it locked away. Type your password to write it to %1.</source>
        <translation>Bản sao lưu chứa dữ liệu của mọi công dân và mã băm mật khẩu các tài khoản; hãy cất giữ an toàn. Nhập mật khẩu của bạn để ghi vào %1.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="477"/>
        <source>Your &amp;password:</source>
        <translation>&amp;Mật khẩu của bạn:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="477"/>
        <source>&amp;Back up</source>
        <translation>&amp;Sao lưu</translation>
    </message>
    <message>
        <location filename="../admin.py" line="482"/>
        <source>Restore from</source>
        <translation>Khôi phục từ</translation>
    </message>
    <message>
        <location filename="../admin.py" line="498"/>
        <source>Restore</source>
        <translation>Khôi phục</translation>
    </message>
    <message>
        <location filename="../admin.py" line="499"/>
        <source>Restoring REPLACES every dossier on this counter with the backup %1 (a copy of the current store is kept first). Type this counter&apos;s code %2 to confirm.</source>
        <translation>Khôi phục sẽ THAY THẾ toàn bộ hồ sơ của quầy bằng bản sao lưu %1 (dữ liệu hiện tại được sao giữ trước). Gõ mã quầy %2 để xác nhận.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="502"/>
        <source>Counter &amp;code:</source>
        <translation>&amp;Mã quầy:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="502"/>
        <source>&amp;Restore</source>
        <translation>&amp;Khôi phục</translation>
    </message>
    <message>
        <location filename="../admin.py" line="507"/>
        <source>Catalogue file</source>
        <translation>Tệp danh mục</translation>
    </message>
    <message>
        <location filename="../admin.py" line="508"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="574"/>
        <source>Trust anchor installed; %1 pulled event(s) refused earlier are applied now.</source>
        <translation>Đã cài chứng thư tin cậy; %1 sự kiện nhận về bị từ chối trước đây nay đã được áp dụng.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="207"/>
        <source>CA certificate</source>
        <translation>Chứng thư CA</translation>
    </message>
    <message>
        <location filename="../admin.py" line="122"/>
        <source>UR&amp;L:</source>
        <translation>Địa &amp;chỉ:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="208"/>
        <location filename="../admin.py" line="389"/>
        <source>Certificates (*.pem *.crt *.cer *.der)</source>
        <translation>Chứng thư số (*.pem *.crt *.cer *.der)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="235"/>
        <source>yes</source>
        <translation>có</translation>
    </message>
    <message>
        <location filename="../admin.py" line="258"/>
        <source>Preferences saved.</source>
        <translation>Đã lưu tùy chọn.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="324"/>
        <source>Account %1 added.</source>
        <translation>Đã thêm tài khoản %1.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="511"/>
        <source>Import the catalogue</source>
        <translation>Nhập danh mục</translation>
    </message>
    <message>
        <location filename="../admin.py" line="512"/>
        <source>Replace the procedure catalogue with %1?</source>
        <translation>Thay danh mục thủ tục bằng tệp %1?</translation>
    </message>
    <message>
        <location filename="../admin.py" line="513"/>
        <source>&amp;Import</source>
        <translation>&amp;Nhập</translation>
    </message>
    <message>
        <location filename="../admin.py" line="530"/>
        <source>Backing up</source>
        <translation>Đang sao lưu</translation>
    </message>
    <message>
        <location filename="../admin.py" line="532"/>
        <source>Backup written: %1 (%2 dossiers).</source>
        <translation>Đã sao lưu: %1 (%2 hồ sơ).</translation>
    </message>
    <message>
        <location filename="../admin.py" line="538"/>
        <source>Restoring</source>
        <translation>Đang khôi phục</translation>
    </message>
    <message>
        <location filename="../admin.py" line="540"/>
        <source>Restored %1 dossiers from %2.</source>
        <translation>Đã khôi phục %1 hồ sơ từ %2.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="546"/>
        <source>Importing the catalogue</source>
        <translation>Đang nhập danh mục thủ tục</translation>
    </message>
    <message>
        <location filename="../admin.py" line="548"/>
        <source>Catalogue version %1 imported (%2 procedures).</source>
        <translation>Đã nhập danh mục phiên bản %1 (%2 thủ tục).</translation>
    </message>
    <message>
        <location filename="../admin.py" line="557"/>
        <source>Adding the trust anchor</source>
        <translation>Đang thêm chứng thư gốc</translation>
    </message>
    <message>
        <location filename="../admin.py" line="562"/>
        <source>Trust anchor installed: %1</source>
        <translation>Đã cài chứng thư gốc: %1</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../wizard.py" line="112"/>
        <source>Set up this counter</source>
        <translation>Thiết lập quầy</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="132"/>
        <source>The administrator manages accounts and settings of this counter.</source>
        <translation>Quản trị viên quản lý tài khoản và cài đặt của quầy.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="144"/>
        <source>&amp;Username:</source>
        <translation>&amp;Tên đăng nhập:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="145"/>
        <source>Full &amp;name:</source>
        <translation>&amp;Họ và tên:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="146"/>
        <source>&amp;Password (8+ characters):</source>
        <translation>&amp;Mật khẩu (từ 8 ký tự):</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="147"/>
        <source>Password &amp;again:</source>
        <translation>&amp;Nhập lại mật khẩu:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="154"/>
        <source>Centre and counter</source>
        <translation>Trung tâm và quầy</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="155"/>
        <source>The agency code and the counter number are part of every dossier code and cannot be changed later.</source>
        <translation>Mã định danh cơ quan và số quầy nằm trong mọi mã hồ sơ, không đổi được về sau.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="162"/>
        <source>Centre &amp;name:</source>
        <translation>&amp;Tên trung tâm:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="163"/>
        <source>&amp;Agency identifier code:</source>
        <translation>&amp;Mã định danh cơ quan:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="164"/>
        <source>&amp;Counter number:</source>
        <translation>&amp;Số quầy:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="173"/>
        <source>Provincial gateway</source>
        <translation>Cổng kết nối của tỉnh</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="187"/>
        <source>&amp;Offline only (no gateway yet)</source>
        <translation>Chỉ làm việc &amp;ngoại tuyến (chưa có cổng kết nối)</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="181"/>
        <source>CA bundle</source>
        <translation>Chứng thư CA</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="202"/>
        <source>Trust anchors</source>
        <translation>Chứng thư gốc tin cậy</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="131"/>
        <source>Language and administrator</source>
        <translation>Ngôn ngữ và quản trị viên</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="143"/>
        <source>Counter &amp;language:</source>
        <translation>Ngôn ngữ của &amp;quầy:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="174"/>
        <source>Dossiers are always saved here first; the gateway receives them whenever the link works. Paste the enrolment line the province gave for this counter, or work offline for now.</source>
        <translation>Hồ sơ luôn được lưu tại quầy trước; cổng kết nối nhận hồ sơ khi có đường truyền. Dán chuỗi đăng ký do tỉnh cấp cho quầy này, hoặc tạm làm việc ngoại tuyến.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="180"/>
        <source>B&amp;rowse…</source>
        <translation>Chọn &amp;tệp…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="188"/>
        <source>&amp;Enrolment line:</source>
        <translation>Chuỗi đăng &amp;ký:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="189"/>
        <source>CA &amp;bundle (private CA):</source>
        <translation>Chứng thư &amp;CA của cổng (CA riêng):</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="203"/>
        <source>Root and intermediate CA certificates that clerks&apos; signing certificates must chain to. At least one is required.</source>
        <translation>Chứng thư CA gốc và trung gian mà chứng thư ký của cán bộ phải dẫn về. Cần ít nhất một chứng thư.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="206"/>
        <source>&amp;Add certificate…</source>
        <translation>&amp;Thêm chứng thư…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="208"/>
        <source>CA certificate</source>
        <translation>Chứng thư CA</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="209"/>
        <source>&amp;Certificates:</source>
        <translation>&amp;Danh sách chứng thư:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="216"/>
        <source>Receipt printing</source>
        <translation>In giấy tiếp nhận</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="218"/>
        <source>System default printer</source>
        <translation>Máy in mặc định của hệ thống</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="222"/>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="222"/>
        <source>A5</source>
        <translation>A5</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="223"/>
        <source>80 mm roll</source>
        <translation>Giấy cuộn 80 mm</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="225"/>
        <source>&amp;Test print</source>
        <translation>&amp;In thử</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="227"/>
        <source>&amp;Printer:</source>
        <translation>&amp;Máy in:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="228"/>
        <source>&amp;Layout:</source>
        <translation>&amp;Khổ giấy:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="234"/>
        <source>&lt; &amp;Back</source>
        <translation>&lt; &amp;Quay lại</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="235"/>
        <source>&amp;Next &gt;</source>
        <translation>&amp;Tiếp &gt;</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="236"/>
        <source>&amp;Finish</source>
        <translation>&amp;Hoàn tất</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="237"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="281"/>
        <source>root</source>
        <translation>gốc</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="281"/>
        <source>intermediate</source>
        <translation>trung gian</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="300"/>
        <source>Test page sent to %1.</source>
        <translation>Đã gửi trang in thử tới %1.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="309"/>
        <source>No printer installed: the test page was saved as %1</source>
        <translation>Chưa cài máy in: trang in thử đã được lưu thành %1</translation>
    </message>
</context>
<context>
    <name>SyncIndicator</name>
    <message>
        <location filename="../syncpanel.py" line="38"/>
        <source>○ Offline only (no gateway)</source>
        <translation>○ Chỉ ngoại tuyến (chưa có cổng kết nối)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="41"/>
        <source>● Offline since %1</source>
        <translation>● Mất kết nối từ %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="41"/>
        <source>● Offline</source>
        <translation>● Mất kết nối</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="44"/>
        <source>● Not synced yet</source>
        <translation>● Chưa đồng bộ</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="46"/>
        <source>● Online</source>
        <translation>● Trực tuyến</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="47"/>
        <source>%1 waiting</source>
        <translation>%1 chờ gửi</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="49"/>
        <source>%1 refused</source>
        <translation>%1 bị từ chối</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="52"/>
        <source>last sync %1</source>
        <translation>đồng bộ lần cuối %1</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <location filename="../syncpanel.py" line="70"/>
        <source>Connection:</source>
        <translation>Kết nối:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="70"/>
        <source>Gateway:</source>
        <translation>Cổng kết nối:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="71"/>
        <source>Waiting to send:</source>
        <translation>Đang chờ gửi:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="72"/>
        <source>Refused by the province:</source>
        <translation>Bị tỉnh từ chối:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="73"/>
        <source>Last successful sync:</source>
        <translation>Đồng bộ thành công lần cuối:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="74"/>
        <source>Last error:</source>
        <translation>Lỗi gần nhất:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="79"/>
        <source>Sync with the province</source>
        <translation>Đồng bộ với tỉnh</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="82"/>
        <location filename="../syncpanel.py" line="104"/>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="82"/>
        <location filename="../syncpanel.py" line="104"/>
        <source>Event</source>
        <translation>Sự kiện</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="83"/>
        <location filename="../syncpanel.py" line="104"/>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="83"/>
        <source>Since</source>
        <translation>Từ lúc</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="87"/>
        <source>Events refused by the province (parked)</source>
        <translation>Sự kiện bị tỉnh từ chối (tạm giữ)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="92"/>
        <source>In use:</source>
        <translation>Đang dùng:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="92"/>
        <source>Replaced:</source>
        <translation>Đã thay thế:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="93"/>
        <source>Refused announcements:</source>
        <translation>Thông báo bị từ chối:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="99"/>
        <source>Gateway signing certificate (province events)</source>
        <translation>Chứng thư ký của cổng tỉnh (sự kiện của tỉnh)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="104"/>
        <source>From</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="105"/>
        <source>Signed by</source>
        <translation>Người ký</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="105"/>
        <source>What happens</source>
        <translation>Xử lý</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="116"/>
        <source>Pulled events not applied here</source>
        <translation>Sự kiện nhận về không được áp dụng tại đây</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="118"/>
        <source>&amp;Retry now</source>
        <translation>&amp;Gửi lại ngay</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="119"/>
        <source>Re&amp;fresh</source>
        <translation>&amp;Làm mới</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="139"/>
        <source>Offline only: no gateway configured. Dossiers are kept here and sent once a gateway is set in Settings.</source>
        <translation>Chỉ ngoại tuyến: chưa cấu hình cổng kết nối. Hồ sơ được lưu tại quầy và sẽ gửi đi khi cổng kết nối được thiết lập trong Cài đặt.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="142"/>
        <source>Offline since %1 — work goes on; everything is sent when the link returns.</source>
        <translation>Mất kết nối từ %1 — vẫn làm việc bình thường; mọi thứ sẽ được gửi khi có mạng trở lại.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="146"/>
        <source>Not synced yet</source>
        <translation>Chưa đồng bộ</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="148"/>
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="150"/>
        <source>— (not enrolled: an administrator pastes the enrolment line from the province in Settings → Provincial gateway)</source>
        <translation>— (chưa đăng ký: quản trị viên dán chuỗi đăng ký do tỉnh cấp tại Cài đặt → Cổng kết nối tỉnh)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="176"/>
        <source>pinned at enrolment</source>
        <translation>ghim khi đăng ký</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="177"/>
        <source>pinned from the gateway&apos;s signed announcement</source>
        <translation>ghim theo thông báo có chữ ký của cổng tỉnh</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="178"/>
        <source>pinned by an administrator</source>
        <translation>ghim do quản trị viên</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="179"/>
        <source>pinned, but the audit log does not record it — added to the store file? run &apos;motcua verify&apos;</source>
        <translation>đã ghim nhưng nhật ký không ghi nhận — bị thêm vào tệp dữ liệu? chạy &apos;motcua verify&apos;</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="182"/>
        <source>(subject not known yet)</source>
        <translation>(chưa biết chủ thể)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="184"/>
        <source>since %1</source>
        <translation>từ %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="186"/>
        <source>replaced from %1</source>
        <translation>đã thay thế từ %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="196"/>
        <source>none pinned yet: province events are refused until the counter is enrolled</source>
        <translation>chưa ghim chứng thư nào: sự kiện của tỉnh bị từ chối cho đến khi quầy đăng ký với cổng tỉnh</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="208"/>
        <source>certificate announced: %1</source>
        <translation>chứng thư được thông báo: %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="217"/>
        <source>province</source>
        <translation>tỉnh</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="217"/>
        <source>another counter</source>
        <translation>quầy khác</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="223"/>
        <source>pulled %1</source>
        <translation>nhận về lúc %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="236"/>
        <source>Pulled events not applied here (%1)</source>
        <translation>Sự kiện nhận về không được áp dụng tại đây (%1)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="243"/>
        <source>%1 event(s) queued to be sent again.</source>
        <translation>Đã xếp %1 sự kiện để gửi lại.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="245"/>
        <source>This counter is not enrolled with a gateway: the events wait here.</source>
        <translation>Quầy chưa đăng ký với cổng kết nối: các sự kiện được giữ tại quầy.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="247"/>
        <source>Trying to send the waiting events now.</source>
        <translation>Đang gửi ngay các sự kiện đang chờ.</translation>
    </message>
</context>
<context>
    <name>UnlockKeyDialog</name>
    <message>
        <location filename="../login.py" line="165"/>
        <source>Unlock signing key</source>
        <translation>Mở khóa chữ ký số</translation>
    </message>
    <message>
        <location filename="../login.py" line="169"/>
        <source>Every dossier is signed with your digital certificate. Unlock it once for this session; the password or PIN is never stored.</source>
        <translation>Mỗi hồ sơ được ký bằng chứng thư số của bạn. Chỉ cần mở khóa một lần cho phiên làm việc; mật khẩu hoặc mã PIN không bao giờ được lưu.</translation>
    </message>
    <message>
        <location filename="../login.py" line="177"/>
        <source>&amp;Browse…</source>
        <translation>&amp;Chọn tệp…</translation>
    </message>
    <message>
        <location filename="../login.py" line="185"/>
        <source>Certificate &amp;file:</source>
        <translation>&amp;Tệp chứng thư:</translation>
    </message>
    <message>
        <location filename="../login.py" line="188"/>
        <source>Pass&amp;word:</source>
        <translation>&amp;Mật khẩu:</translation>
    </message>
    <message>
        <location filename="../login.py" line="193"/>
        <source>Certificate file (.p12)</source>
        <translation>Tệp chứng thư (.p12)</translation>
    </message>
    <message>
        <location filename="../login.py" line="203"/>
        <source>PKCS#11 &amp;module:</source>
        <translation>&amp;Thư viện PKCS#11:</translation>
    </message>
    <message>
        <location filename="../login.py" line="204"/>
        <source>Token &amp;label:</source>
        <translation>&amp;Nhãn token:</translation>
    </message>
    <message>
        <location filename="../login.py" line="205"/>
        <source>&amp;Key label (optional):</source>
        <translation>Nhãn &amp;khóa (không bắt buộc):</translation>
    </message>
    <message>
        <location filename="../login.py" line="206"/>
        <source>P&amp;IN:</source>
        <translation>Mã P&amp;IN:</translation>
    </message>
    <message>
        <location filename="../login.py" line="210"/>
        <source>USB token</source>
        <translation>Token USB</translation>
    </message>
    <message>
        <location filename="../login.py" line="218"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Mở khóa</translation>
    </message>
    <message>
        <location filename="../login.py" line="220"/>
        <source>Later</source>
        <translation>Để sau</translation>
    </message>
    <message>
        <location filename="../login.py" line="244"/>
        <source>Certificate file</source>
        <translation>Tệp chứng thư</translation>
    </message>
    <message>
        <location filename="../login.py" line="245"/>
        <source>PKCS#12 files (*.p12 *.pfx)</source>
        <translation>Tệp PKCS#12 (*.p12 *.pfx)</translation>
    </message>
</context>
</TS>
