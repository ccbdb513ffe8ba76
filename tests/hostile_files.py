"""A corpus of hostile XLSX and CSV files, built by code (nothing fetched, nothing stored).

Each builder returns bytes. `xlsx(sheet_xml, shared_xml)` packs a minimal workbook around
the given sheet XML, so a test can put anything it likes in the sheet or shared strings.
"""

import io
import struct
import zipfile

HEADER = ["编码", "姓名", "项目", "分值", "次数", "日期", "事由"]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"


def xlsx(sheet_xml, shared_xml=None, workbook=WORKBOOK, compress=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        archive.writestr(
            "xl/sharedStrings.xml",
            shared_xml
            if shared_xml is not None
            else '<?xml version="1.0" encoding="UTF-8"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        )
    return out.getvalue()


def _inline(reference, text):
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row():
    return '<row r="1">' + "".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER)) + "</row>"


def data_row(number, code, name, item="study", points="", count=1, date="2025-05-01", reason="学习"):
    cells = [code, name, item, points, count, date, reason]
    return f'<row r="{number}">' + "".join(_inline(f"{chr(65 + i)}{number}", v) for i, v in enumerate(cells)) + "</row>"


def sheet(*rows):
    return SHEET_OPEN + header_row() + "".join(rows) + SHEET_CLOSE


# ---------------------------------------------------------------- the hostile ones


def exploding_reference():
    """694 bytes that made the old reader pad one row towards ~8·10⁹ cells."""
    return xlsx(SHEET_OPEN + header_row() + '<row r="2"><c r="ZZZZZZZ2"><v>1</v></c></row>' + SHEET_CLOSE)


def huge_dimension():
    return xlsx(
        SHEET_OPEN.replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
        + header_row()
        + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        + SHEET_CLOSE
    )


def far_row():
    return xlsx(SHEET_OPEN + header_row() + '<row r="99999999"><c r="A99999999"><v>1</v></c></row>' + SHEET_CLOSE)


def billion_laughs(part="sheet"):
    entities = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + "]>"
    )
    if part == "sheet":
        body = (
            SHEET_OPEN.replace("?>", "?>" + entities, 1)
            + header_row()
            + '<row r="2">'
            + _inline("A2", "&lol9;")
            + "</row>"
            + SHEET_CLOSE
        )
        return xlsx(body)
    shared = (
        '<?xml version="1.0"?>'
        + entities
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    return xlsx(sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), shared)


def external_entity(part="sheet"):
    doctype = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    if part == "sheet":
        return xlsx(
            SHEET_OPEN.replace("?>", "?>" + doctype, 1)
            + header_row()
            + '<row r="2">'
            + _inline("A2", "&xxe;")
            + "</row>"
            + SHEET_CLOSE
        )
    shared = (
        '<?xml version="1.0"?>'
        + doctype
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
    )
    return xlsx(sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), shared)


def shared_string_out_of_range():
    return xlsx(sheet('<row r="2"><c r="A2" t="s"><v>999999</v></c></row>'))


def shared_string_negative():
    return xlsx(sheet('<row r="2"><c r="A2" t="s"><v>-1</v></c></row>'))


def row_number_not_a_number():
    return xlsx(sheet('<row r="abc"><c r="A2"><v>1</v></c></row>'))


def cell_reference_not_a_reference():
    return xlsx(sheet('<row r="2"><c r="2A!"><v>1</v></c></row>'))


def truncated_sheet_xml(code, name, rows=5):
    body = sheet(*[data_row(i, code, name, reason=f"学习{i}") for i in range(2, 2 + rows)])
    return xlsx(body[: len(body) - 200])


def truncated_zip(data):
    return data[: len(data) * 2 // 3]


def too_many_shared_strings(count=300_000):
    items = "<si><t>x</t></si>" * count
    return xlsx(
        sheet(),
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main" count="{count}">{items}</sst>',
    )


def zip_bomb(size=600 * 1024 * 1024):
    """A sheet that unpacks to SIZE bytes of blanks (compresses about 1000 to 1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            handle.write(SHEET_OPEN.encode())
            block = b" " * (1024 * 1024)
            for _ in range(size // len(block)):
                handle.write(block)
            handle.write(SHEET_CLOSE.encode())
    return out.getvalue()


def with_member_header(data, member, method=None, flags=None):
    """DATA (an XLSX written with ZIP_STORED) with MEMBER's compression METHOD or general-purpose
    FLAGS rewritten in both its local header and its central-directory entry (what zipfile reads)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(member).header_offset
    name = member.encode()
    central = out.find(b"PK\x01\x02")  # the central directory's entries, each with its name at offset 46
    while out[central + 46 : central + 46 + len(name)] != name:
        central = out.find(b"PK\x01\x02", central + 4)
    for value, local_at, central_at in ((flags, 6, 8), (method, 8, 10)):
        if value is not None:
            struct.pack_into("<H", out, local + local_at, value)
            struct.pack_into("<H", out, central + central_at, value)
    return bytes(out)


def unsupported_compression(method=9):
    """The sheet stored under compression METHOD (9: deflate64, which zipfile cannot read)."""
    stored = xlsx(sheet(data_row(2, "AAAAAAAAAA", "巴特尔")), compress=zipfile.ZIP_STORED)
    return with_member_header(stored, "xl/worksheets/sheet1.xml", method=method)


def encrypted_member():
    """The sheet's entry flagged as zip-encrypted (general-purpose flag bit 0)."""
    stored = xlsx(sheet(data_row(2, "AAAAAAAAAA", "巴特尔")), compress=zipfile.ZIP_STORED)
    return with_member_header(stored, "xl/worksheets/sheet1.xml", flags=0x1)


def not_a_zip():
    return b"PK\x03\x04" + b"\x00" * 100


def many_columns(columns=20000):
    cells = "".join(f'<c r="{_column_letters(i)}2"><v>1</v></c>' for i in range(columns))
    return xlsx(sheet(f'<row r="2">{cells}</row>'))


def _column_letters(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


ALL_XLSX = {
    "exploding_reference": exploding_reference,
    "huge_dimension": huge_dimension,
    "far_row": far_row,
    "billion_laughs_sheet": lambda: billion_laughs("sheet"),
    "billion_laughs_shared": lambda: billion_laughs("shared"),
    "xxe_sheet": lambda: external_entity("sheet"),
    "xxe_shared": lambda: external_entity("shared"),
    "shared_string_out_of_range": shared_string_out_of_range,
    "shared_string_negative": shared_string_negative,
    "row_r_abc": row_number_not_a_number,
    "cell_r_garbage": cell_reference_not_a_reference,
    "not_a_zip": not_a_zip,
    "deflate64": unsupported_compression,
    "encrypted_member": encrypted_member,
    "many_columns": many_columns,
}


# ---------------------------------------------------------------- CSV


def csv_truncated(code, name, rows=5):
    """A CSV cut mid-row (as a dropped connection leaves it): the last value 85 reads as 8."""
    text = "编码,姓名,项目,分值,次数,日期,事由\r\n" + "".join(
        f"{code},{name},study,,1,2025-05-01,学习{i}\r\n" for i in range(rows)
    )
    text += f"{code},{name},appraisal_percent,85"
    return text[:-1].encode("utf-8")


def csv_nul(code, name):
    return f"编码,姓名,项目,分值,次数,日期,事由\r\n{code},{name},study,,1,2025-05-01,学\x00习\r\n".encode()


def csv_unterminated_quote(code, name):
    return f'编码,姓名,项目,分值,次数,日期,事由\r\n{code},{name},study,,1,2025-05-01,"学习\r\n'.encode()


# ---------------------------------------------------------------- jobs that run away (run in a child)


def sleep_forever():
    import time

    time.sleep(3600)


def allocate_without_end():
    blocks = []
    while True:
        blocks.append(bytearray(50 * 1024 * 1024))


def answer(value):
    return value


def refuse():
    from starqr.errors import N_, Invalid

    raise Invalid(N_("组织编码 %(org_code)s 不存在"), org_code="X9")
