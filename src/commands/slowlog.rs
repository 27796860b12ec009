//! `cachectl slowlog`: the latency findings of the engine's diagnosis, and
//! the slow log view of every node (`slowlog::view`).

use crate::cli::{resolve, CommonArgs};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::render::view::DoorView;
use crate::render::Printer;

pub fn run(args: &CommonArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(resolve::door(args, "slowlog")?, printer, "latency")?;
    if door.connected() {
        let (ctx, spec, diagnosis) = (&door.ctx, &door.spec, &mut door.diagnosis);
        let session = engine::session(ctx, spec)?;
        // The other nodes of a topology that answered: their slow logs too.
        let others: Vec<_> = diagnosis
            .others
            .iter()
            .filter(|f| f.get("connection").is_some_and(|c| c["ok"] == true))
            .filter_map(|f| {
                let node = spec.at(f.node.addr.clone());
                engine::session(ctx, &node).ok().map(|s| (f, s))
            })
            .collect();
        let view = ctx
            .runtime
            .block_on(crate::slowlog::view((&diagnosis.facts, &session), &others));
        diagnosis.view = Some(DoorView::Slowlog { slowlog: view });
    }
    door.finish()
}
