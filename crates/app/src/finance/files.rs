//! Finance files: reading a CSV file or an XLSX workbook into rows of cells by column name,
//! each with its line in the file, and writing rows back as either.

use std::collections::HashMap;

use accord_domain::Invalid;

/// A file's rows as cells by column name (lower case), with the file line of each row.
pub type Rows = Vec<(u64, HashMap<String, String>)>;

/// The formats finance files come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// Reads a CSV file. The first row names the columns (any order, case ignored).
pub fn read_csv(bytes: &[u8]) -> Result<Rows, Invalid> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Invalid::field("file", format!("is not a CSV file: {e}")).at_line(1))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            Invalid::field("file", format!("cannot be read: {e}")).at_line(line)
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = headers
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        rows.push((line, cells));
    }
    plain(rows)
}

/// The rows, or every cell that holds a control character or is too long, with its line and
/// column.
fn plain(rows: Rows) -> Result<Rows, Invalid> {
    let mut invalid = Invalid::new();
    for (line, cells) in &rows {
        let mut cells: Vec<_> = cells.iter().collect();
        cells.sort();
        for (column, value) in cells {
            if let Err(e) = accord_domain::text::check(column, value) {
                invalid.extend(e.at_line(*line));
            }
            if value.chars().count() > MAX_CELL_CHARS {
                invalid.extend(
                    Invalid::field(
                        column,
                        format!("is longer than {MAX_CELL_CHARS} characters, Excel's own limit"),
                    )
                    .at_line(*line),
                );
            }
        }
    }
    invalid.into_result().map(|()| rows)
}

/// The most an XLSX workbook may hold once unpacked. An upload is small (the web takes 2 MB),
/// but a ZIP of one repeated character unpacks a thousandfold: a 1 MB file with a 1 GB cell
/// would take gigabytes to parse. Spreadsheets of registers are far smaller than this.
pub const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;

/// The longest cell accepted, in characters: Excel's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The refusal of a file that cannot be read as a workbook.
fn not_a_workbook(e: &dyn std::fmt::Display) -> Invalid {
    Invalid::field("file", format!("is not an XLSX workbook: {e}"))
}

/// Unpacks every part of a workbook into nothing, counting, and refuses it as soon as the
/// count passes [`MAX_UNPACKED_BYTES`]: what the archive's index declares is not trusted.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), Invalid> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| not_a_workbook(&e))?;
        let room = MAX_UNPACKED_BYTES - total;
        total += std::io::copy(&mut entry.take(room + 1), &mut std::io::sink())
            .map_err(|e| not_a_workbook(&e))?;
        if total > MAX_UNPACKED_BYTES {
            return Err(Invalid::field(
                "file",
                format!(
                    "unpacks to more than {} MB, more than any register needs: save the sheet \
                     alone, or as CSV",
                    MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
            ));
        }
    }
    Ok(())
}

/// Reads the first sheet of an XLSX workbook. The first row names the columns.
pub fn read_xlsx(bytes: &[u8]) -> Result<Rows, Invalid> {
    use calamine::{Data, Reader, Xlsx};
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| not_a_workbook(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Invalid::field("file", "the workbook has no sheet"))?
        .map_err(|e| Invalid::field("file", format!("cannot be read: {e}")))?;
    let text = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                format!("{f:.2}")
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        other => other.to_string(),
    };
    let mut iter = range.rows();
    let headers: Vec<String> = iter
        .next()
        .map(|r| {
            r.iter()
                .map(|c| text(c).trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let first = u64::from(range.start().map_or(0, |(row, _)| row)) + 1;
    let mut rows = Vec::new();
    for (i, row) in iter.enumerate() {
        let cells: Vec<String> = row.iter().map(text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = first + 1 + i as u64;
        rows.push((line, headers.iter().cloned().zip(cells).collect()));
    }
    plain(rows)
}

/// Reads a file of either kind, told apart by its first bytes (XLSX is a ZIP file).
pub fn read_file(bytes: &[u8]) -> Result<Rows, Invalid> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

/// Writes rows under a header row as CSV.
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Writes rows under a bold header row as a one-sheet XLSX workbook. Cells of the columns
/// named in `money` that read as numbers are written as numbers with two decimal places, so
/// spreadsheets add them up.
pub fn write_xlsx(
    sheet_name: &str,
    header: &[&str],
    rows: &[Vec<String>],
    money: &[&str],
) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    let pounds = Format::new().set_num_format("#,##0.00");
    for (c, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(c)?, *name, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1)?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c)?;
            let is_money = header.get(c).is_some_and(|h| money.contains(h));
            match cell.parse::<f64>() {
                Ok(n) if is_money => {
                    sheet.write_number_with_format(r, col, n, &pounds)?;
                }
                _ if cell.is_empty() => {}
                _ => {
                    sheet.write_string(r, col, cell)?;
                }
            }
        }
    }
    sheet.autofit();
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_in_a_cell_is_refused_with_its_line_and_column() {
        let err = read_csv(b"project,note\nHR,fine\nOD,bell\x07here\n").unwrap_err();
        let got: Vec<(Option<u64>, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(got, vec![(Some(3), "note")]);
        let book = write_xlsx(
            "Sheet",
            &["project", "note"],
            &[vec!["HR".to_owned(), "nul\u{1b}".to_owned()]],
            &[],
        )
        .unwrap();
        let err = read_xlsx(&book).unwrap_err();
        assert_eq!(err.errors[0].line, Some(2));
        assert_eq!(err.errors[0].field, "note");
    }

    #[test]
    fn a_workbook_that_unpacks_too_far_is_refused_before_it_is_parsed() {
        use std::io::Write;
        let mut book = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        book.start_file("xl/worksheets/sheet1.xml", options)
            .unwrap();
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..(MAX_UNPACKED_BYTES / (1024 * 1024) + 1) {
            book.write_all(&chunk).unwrap();
        }
        let bytes = book.finish().unwrap().into_inner();
        assert!(bytes.len() < 1024 * 1024, "a bomb: small packed");
        let err = read_file(&bytes).unwrap_err();
        assert_eq!(err.errors[0].field, "file");
        assert!(
            err.errors[0].message.contains("unpacks to more than 32 MB"),
            "{err}"
        );
    }

    #[test]
    fn a_cell_longer_than_excel_allows_is_refused_with_its_line() {
        let long = "x".repeat(MAX_CELL_CHARS + 1);
        let err = read_csv(format!("project,note\nHR,{long}\n").as_bytes()).unwrap_err();
        assert_eq!(
            (err.errors[0].line, err.errors[0].field.as_str()),
            (Some(2), "note")
        );
    }

    #[test]
    fn both_formats_read_back_what_is_written() {
        let header = ["project", "planned", "note"];
        let rows = vec![
            vec!["HR".to_owned(), "100000.00".to_owned(), String::new()],
            vec![
                "OD, learning".to_owned(),
                "5.50".to_owned(),
                "half year".to_owned(),
            ],
        ];
        let csv = read_file(&write_csv(&header, &rows).unwrap()).unwrap();
        let xlsx = read_file(&write_xlsx("Sheet", &header, &rows, &["planned"]).unwrap()).unwrap();
        for read in [csv, xlsx] {
            assert_eq!(read.len(), 2);
            assert_eq!(read[0].0, 2, "the header is line 1");
            assert_eq!(read[1].1["project"], "OD, learning");
            assert_eq!(read[1].1["note"], "half year");
        }
        assert!(read_xlsx(b"PK\x03\x04 not a zip").is_err());
    }
}
