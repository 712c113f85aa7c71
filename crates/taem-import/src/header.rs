//! The header row of a shop's file: where each template column is, and the headers that stop
//! a file because they would lose data quietly (a template column written twice, or a typo
//! of one).

use crate::columns::{Column, Lang};
use crate::error::FileError;
use crate::read::RawRow;

/// Where each known column is in the file.
#[derive(Clone, Debug, Default)]
pub struct Header {
    positions: Vec<(Column, usize, String)>,
    /// Cells up to the last non-empty header cell.
    width: usize,
}

impl Header {
    /// Maps a header row; answers the header and the headers it does not know (ignored: their
    /// data is not imported).
    ///
    /// Refuses a template column written twice (which copy holds the member's data is
    /// anybody's guess) and a header a typo away from a template column the file lacks (its
    /// data would be dropped without a word, and fixing the file later cannot help: the
    /// member is then already a member).
    pub fn read(row: &RawRow) -> Result<(Header, Vec<String>), FileError> {
        let mut header = Header {
            width: row
                .cells
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |i| i + 1),
            ..Header::default()
        };
        let mut unknown = Vec::new();
        for (i, text) in row.cells.iter().enumerate() {
            match Column::from_header(text) {
                Some(c) => {
                    if let Some((_, first, written)) =
                        header.positions.iter().find(|(k, _, _)| *k == c)
                    {
                        return Err(FileError::DuplicateColumn {
                            header: written.clone(),
                            first: *first,
                            second: i,
                        });
                    }
                    header.positions.push((c, i, text.clone()))
                }
                None if text.trim().is_empty() => {}
                None => unknown.push((i, text.trim().to_string())),
            }
        }
        // Checked once every known column is placed: a near miss of a column the file has
        // is just another column (`ชื่อเล่น` next to `ชื่อ*`).
        for (i, text) in &unknown {
            if let Some((_, suggestion)) = Column::near_miss(text, |c| !header.has(c)) {
                return Err(FileError::MisspeltColumn {
                    header: text.clone(),
                    position: *i,
                    suggestion,
                });
            }
        }
        Ok((header, unknown.into_iter().map(|(_, text)| text).collect()))
    }

    /// Required columns the header lacks.
    pub fn missing(&self) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| c.required() && !self.has(*c))
            .collect()
    }

    /// Whether the file has the column.
    pub fn has(&self, column: Column) -> bool {
        self.positions.iter().any(|(c, _, _)| *c == column)
    }

    /// Cells in the header (up to its last non-empty one).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The column at a cell position, with its header as written.
    pub(crate) fn at(&self, position: usize) -> Option<(Column, &str)> {
        self.positions
            .iter()
            .find(|(_, i, _)| *i == position)
            .map(|(c, _, header)| (*c, header.as_str()))
    }

    /// A row's cell for a column (empty when the file lacks the column), and its header.
    /// The header of `column` as the file writes it (its English name when the file lacks it).
    pub(crate) fn written(&self, column: Column) -> &str {
        self.positions
            .iter()
            .find(|(c, _, _)| *c == column)
            .map_or(column.name(Lang::En), |(_, _, header)| header.as_str())
    }

    pub(crate) fn cell<'r>(&self, row: &'r RawRow, column: Column) -> (&'r str, &str) {
        match self.positions.iter().find(|(c, _, _)| *c == column) {
            Some((_, i, header)) => (
                row.cells.get(*i).map_or("", |s| s.as_str()),
                header.as_str(),
            ),
            None => ("", column.name(Lang::En)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Result<(Header, Vec<String>), FileError> {
        Header::read(&RawRow {
            line: 1,
            cells: cells.iter().map(|c| c.to_string()).collect(),
            flaws: Vec::new(),
        })
    }

    #[test]
    fn a_template_column_written_twice_stops_the_file_naming_both_places() {
        let e = header(&["เบอร์มือถือ*", "ชื่อ*", "ชื่อ*", "แต้มเริ่มต้น", "แต้มเริ่มต้น"]).unwrap_err();
        assert_eq!(
            e,
            FileError::DuplicateColumn {
                header: "ชื่อ*".into(),
                first: 1,
                second: 2
            }
        );
        assert!(e.en().contains("columns B and C"), "{}", e.en());
        assert!(e.th().contains("คอลัมน์ B และ C"), "{}", e.th());
        // Either language, same column.
        assert!(header(&["Phone*", "First name*", "ชื่อ"]).is_err());
    }

    #[test]
    fn a_typo_of_a_template_column_stops_the_file_and_names_the_column_meant() {
        let e = header(&["เบอร์มือถือ*", "ชื่อ*", "แต้มเริ่มตัน"]).unwrap_err();
        assert_eq!(e.code(), "misspelt_column");
        assert!(e.en().contains("did you mean \"แต้มเริ่มต้น\""), "{}", e.en());
        assert!(e.th().contains("หมายถึง \"แต้มเริ่มต้น\""), "{}", e.th());
        // Other columns are ignored, and said so.
        let (h, unknown) = header(&["Phone*", "First name*", "LINE ID", "สาขาเดิม", ""]).unwrap();
        assert_eq!(unknown, ["LINE ID", "สาขาเดิม"]);
        assert_eq!(h.width(), 4);
    }
}
