//! The counter's replica as the destination of an import (feature `replica`): the rows go
//! through `Replica::import_members`, one transaction per batch, each member through the outbox.

use taem_replica::{ImportMember, Replica, ReplicaError};

use crate::engine::{MemberSink, SinkOutcome};
use crate::error::SinkError;
use crate::validate::ValidRow;

/// Imports into a replica at a branch.
pub struct ReplicaSink<'a> {
    /// The replica.
    pub replica: &'a mut Replica,
    /// The registering branch chosen for the file.
    pub branch: String,
}

impl MemberSink for ReplicaSink<'_> {
    fn write(
        &mut self,
        rows: &[ValidRow],
        progress: &mut dyn FnMut(u64),
    ) -> Result<SinkOutcome, SinkError> {
        let members: Vec<ImportMember> = rows
            .iter()
            .map(|r| ImportMember {
                line: r.line,
                phone: r.phone.clone(),
                profile: r.profile.clone(),
                initial_points: r.initial_points,
                code: r.code.clone(),
            })
            .collect();
        let batch = self
            .replica
            .import_members(&self.branch, &members, progress)
            .map_err(sink_error)?;
        Ok(SinkOutcome {
            imported: batch
                .imported
                .into_iter()
                .map(|(line, code)| (line, code.as_str().to_string()))
                .collect(),
            already_members: batch.already_members,
            codes_taken: batch.codes_taken,
        })
    }

    fn taken_codes(&mut self, rows: &[ValidRow]) -> Result<Vec<u64>, SinkError> {
        let (lines, wanted): (Vec<u64>, Vec<_>) = rows
            .iter()
            .filter_map(|r| Some((r.line, (r.code.clone()?, r.phone.clone()))))
            .unzip();
        let taken = self.replica.codes_taken(&wanted).map_err(sink_error)?;
        Ok(lines
            .into_iter()
            .zip(taken)
            .filter_map(|(line, taken)| taken.then_some(line))
            .collect())
    }

    fn existing(&mut self, rows: &[ValidRow]) -> Result<Vec<(u64, String)>, SinkError> {
        let phones: Vec<_> = rows.iter().map(|r| r.phone.clone()).collect();
        let codes = self.replica.existing_members(&phones).map_err(sink_error)?;
        Ok(rows
            .iter()
            .zip(codes)
            .filter_map(|(r, code)| code.map(|c| (r.line, c)))
            .collect())
    }
}

/// The replica's error with its code and both messages.
fn sink_error(e: ReplicaError) -> SinkError {
    SinkError {
        code: e.code(),
        en: e.to_string(),
        th: e.th(),
    }
}
