//! `cachectl clients` and `cachectl clients kill`: glue between their
//! flags, the engine and the kill.

use crate::cli::{resolve, ClientsArgs, ClientsCommand, KillArgs};
use crate::clients::{ClientsView, Filter};
use crate::engine::writer::{Opened, Writer};
use crate::engine::Door;
use crate::error::{CliError, Status};
use crate::kill;
use crate::redis::client_list::ClientInfo;
use crate::render::view::DoorView;
use crate::render::Printer;

pub fn run(args: &ClientsArgs, printer: &Printer) -> Result<Status, CliError> {
    match &args.action {
        Some(ClientsCommand::Kill(kill_args)) => kill(kill_args, printer),
        None => view(args, printer),
    }
}

fn view(args: &ClientsArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(resolve::door(&args.common, "clients")?, printer, "clients")?;
    // The diagnosis read the whole CLIENT LIST of every node already.
    let d = &door.diagnosis;
    let maxclients = |f: &crate::facts::Facts| {
        f.get("derived")
            .and_then(|d| d["maxclients"].as_i64())
            .unwrap_or(0)
    };
    let view = if d.others.is_empty() {
        d.facts
            .client_list
            .as_ref()
            .map(|list| ClientsView::of(list.iter(), maxclients(&d.facts)))
    } else {
        let nodes: Vec<(String, &[ClientInfo], i64)> = std::iter::once(&d.facts)
            .chain(d.others.iter())
            .filter_map(|f| {
                f.client_list
                    .as_ref()
                    .map(|l| (f.node.addr.to_string(), l.as_slice(), maxclients(f)))
            })
            .collect();
        (!nodes.is_empty()).then(|| ClientsView::of_nodes(&nodes))
    };
    door.diagnosis.view = view.map(|clients| DoorView::Clients { clients });
    door.finish()
}

fn kill(args: &KillArgs, printer: &Printer) -> Result<Status, CliError> {
    let filter = Filter {
        idle: args.idle,
        age: args.age,
        host: args.host.clone(),
        name: args.name.clone(),
        user: args.user.clone(),
        kind: args.kind.clone(),
        db: args.client_db,
        cmd: args.cmd.clone(),
    };
    let settings = resolve::writer(
        "clients kill",
        &args.write,
        false,
        resolve::Asks::Destructive,
    )?;
    let (mut w, facts) = match Writer::open(printer, settings)? {
        Opened::Ready(w, facts) => (w, facts),
        Opened::Closed(status) => return Ok(status),
    };
    let (report, status) = kill::run(&mut w, &facts, &filter)?;
    w.finish(&report, status)
}
