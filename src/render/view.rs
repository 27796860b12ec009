//! A front door's own view beside its diagnosis: what `memory`, `clients`,
//! `slowlog` and `latency` show after the findings. The diagnosis
//! (`findings::Report`) knows nothing of them; a renderer is handed both.

use serde::Serialize;

use crate::clients::ClientsView;
use crate::facts::memory::MemoryView;
use crate::findings::Report;
use crate::latency::LatencyView;
use crate::scan::tally::KeyspaceReport;
use crate::slowlog::SlowlogView;
use crate::watch::WatchView;

/// One door's view. In JSON its fields sit beside the report's
/// (docs/json.md: `memory` and `keyspace`, `clients`, `slowlog`,
/// `latency`).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum DoorView {
    /// `cachectl memory`: where the memory is, and with --keys the
    /// keyspace by pattern.
    Memory {
        #[serde(skip_serializing_if = "Option::is_none")]
        memory: Option<MemoryView>,
        #[serde(skip_serializing_if = "Option::is_none")]
        keyspace: Option<KeyspaceReport>,
    },
    /// `cachectl clients`: who is connected.
    Clients { clients: ClientsView },
    /// `cachectl slowlog`: what is slow.
    Slowlog { slowlog: SlowlogView },
    /// `cachectl latency`: round trips sampled from here.
    Latency { latency: LatencyView },
    /// `cachectl hotkeys`: the keys read and written most, per node.
    Hotkeys {
        hotkeys: crate::hotkeys::HotkeysView,
    },
    /// `cachectl watch`: each node's figures and history, and since when
    /// each finding has held.
    Watch { watch: WatchView },
}

impl DoorView {
    /// Appends the view's sections of the table, `width` columns wide.
    pub fn table(&self, out: &mut String, width: u16) {
        use super::table;
        match self {
            DoorView::Memory { memory, keyspace } => {
                table::memory(out, memory.as_ref(), keyspace.as_ref(), width);
            }
            DoorView::Clients { clients } => table::clients(out, clients, width),
            DoorView::Slowlog { slowlog } => table::slowlog(out, slowlog, width),
            DoorView::Latency { latency } => table::latency(out, latency, width),
            DoorView::Hotkeys { hotkeys } => super::hotkeys::section(out, hotkeys, width),
            DoorView::Watch { watch } => super::watch::section(out, watch, width),
        }
    }
}

/// The JSON document of a diagnosis: the report's fields, then the view's.
#[derive(Serialize)]
pub struct Viewed<'a> {
    #[serde(flatten)]
    pub report: &'a Report,
    #[serde(flatten)]
    pub view: Option<&'a DoorView>,
}
