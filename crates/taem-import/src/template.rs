//! The `member-template` a shop downloads and fills: CSV (UTF-8 with BOM, so Excel shows Thai)
//! or XLSX (the phone column formatted as text, so Excel keeps its leading 0, and a second sheet
//! that explains each column with an example).

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

use crate::columns::{Column, Lang};

/// The template's file name, without extension (the seed's name).
pub const TEMPLATE_NAME: &str = "member-template";

/// Writes the CSV template: the header row only (an example row would be imported if left in).
pub fn write_csv(out: &mut dyn Write, lang: Lang) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(Column::ALL.map(|c| c.header(lang)))?;
    writer.flush()
}

/// The XLSX template as bytes.
pub fn xlsx(lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let required = Format::new().set_bold().set_background_color("#FFF2CC");
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(match lang {
        Lang::Th => "สมาชิก",
        Lang::En => "Members",
    })?;
    for (i, c) in Column::ALL.into_iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(
            0,
            col,
            c.header(lang),
            if c.required() { &required } else { &bold },
        )?;
        sheet.set_column_width(col, 20)?;
        // Every column as text: Excel must not turn 0812345678 into 812345678 or 15/08/2535
        // into a date of its own.
        sheet.set_column_format(col, &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let help = book.add_worksheet();
    help.set_name(match lang {
        Lang::Th => "วิธีกรอก",
        Lang::En => "How to fill",
    })?;
    let titles = match lang {
        Lang::Th => ["คอลัมน์", "ต้องกรอก", "ตัวอย่าง"],
        Lang::En => ["Column", "Required", "Example"],
    };
    for (i, t) in titles.iter().enumerate() {
        help.write_string_with_format(0, i as u16, *t, &bold)?;
    }
    for (i, c) in Column::ALL.into_iter().enumerate() {
        let row = i as u32 + 1;
        help.write_string(row, 0, c.header(lang))?;
        let yes = match (c.required(), lang) {
            (true, Lang::Th) => "ใช่ (*)",
            (true, Lang::En) => "yes (*)",
            (false, _) => "",
        };
        help.write_string(row, 1, yes)?;
        help.write_string(row, 2, c.example(lang))?;
    }
    help.set_column_width(0, 28)?;
    help.set_column_width(2, 36)?;
    book.save_to_buffer()
}
