//! `cachectl hotkeys`: every primary measured at once (`hotkeys::measure`),
//! the hotkeys findings judged on what was measured, and the view.

use crate::cli::{resolve, HotMethod, HotkeysArgs};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::hotkeys::{self, HotSettings, Method};
use crate::render::view::DoorView;
use crate::render::Printer;

/// The root the hotkeys runbook reads.
pub const HOTKEYS_ROOT: &str = "hot_keys";

pub fn run(args: &HotkeysArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(resolve::door(&args.common, "hotkeys")?, printer, "hotkeys")?;
    if !door.connected() {
        return door.finish();
    }
    let ctx = &door.ctx;
    // A sample longer than the default deadline is its own; an explicit
    // --timeout holds.
    let now = std::time::Instant::now();
    let deadline = match (args.common.target.timeout, args.sample) {
        (None, Some(d)) => ctx.deadline.max(now + d + ctx.timeouts.command * 2),
        _ => ctx.deadline,
    };
    let settings = HotSettings {
        sample: args.sample,
        method: args.method.map(|m| match m {
            HotMethod::Hotkeys => Method::Hotkeys,
            HotMethod::ObjectFreq => Method::ObjectFreq,
            HotMethod::Monitor => Method::Monitor,
        }),
        top: args.top,
        max_lines: args.max_lines,
        max_bytes: args.max_bytes,
        count: 1000,
        deadline,
    };
    let nodes = door
        .diagnosis
        .primaries()
        .into_iter()
        .map(|spec| {
            let session = engine::session(ctx, &spec)?;
            Ok((spec, session))
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let cluster = door
        .diagnosis
        .topology
        .as_ref()
        .is_some_and(|t| t.kind == crate::target::topology::Kind::Cluster);
    let announce = |text: &str| printer.status(text);
    let view = ctx.runtime.block_on(async {
        let interrupt = crate::interrupt::Interrupt::catch();
        hotkeys::measure(
            &nodes,
            cluster,
            &settings,
            &ctx.timeouts,
            &interrupt,
            &announce,
        )
        .await
    });
    let diagnosis = &mut door.diagnosis;
    diagnosis
        .facts
        .values
        .insert(HOTKEYS_ROOT.into(), view.fact());
    diagnosis.reassess(&door.ctx);
    diagnosis.view = Some(DoorView::Hotkeys { hotkeys: view });
    door.finish()
}
