//! SQLite persistence of the payment lifecycle (orders and refunds), profit
//! sharing (receivers, orders, returns) and merchant transfers, so the
//! standalone sandbox keeps them across a restart. The in-memory store stays
//! the authority while running; every change is written through to one table
//! of JSON records, and the oldest records are deleted when the store
//! forgets them, so the file is bounded like the memory.
//!
//! Not persisted: seed (e-commerce) orders, bills offered for download, the
//! notification log, and retries still pending at shutdown.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::error::SandboxError;
use crate::ledger::{Order, Refund};
use crate::ops::profitsharing::{Receiver, ShareOrder, ShareReturn};
use crate::ops::transfer::TransferBill;

/// What a record is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Order,
    Refund,
    Receiver,
    ShareOrder,
    ShareReturn,
    TransferBill,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Refund => "refund",
            Kind::Receiver => "profitsharing_receiver",
            Kind::ShareOrder => "profitsharing_order",
            Kind::ShareReturn => "profitsharing_return",
            Kind::TransferBill => "transfer_bill",
        }
    }
}

/// An open database.
pub(crate) struct Db {
    conn: Connection,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

fn db_error(path: &Path, e: rusqlite::Error) -> SandboxError {
    SandboxError::Config(format!("database {}: {e}", path.display()))
}

/// Everything stored, oldest first.
#[derive(Default)]
pub(crate) struct Loaded {
    pub(crate) orders: Vec<Order>,
    pub(crate) refunds: Vec<Refund>,
    pub(crate) receivers: Vec<Receiver>,
    pub(crate) share_orders: Vec<ShareOrder>,
    pub(crate) share_returns: Vec<ShareReturn>,
    pub(crate) transfer_bills: Vec<TransferBill>,
}

impl Db {
    /// Opens (creating if needed) the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, SandboxError> {
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS records (
                 kind TEXT NOT NULL,
                 mchid TEXT NOT NULL,
                 id TEXT NOT NULL,
                 body TEXT NOT NULL,
                 PRIMARY KEY (kind, mchid, id)
             );",
        )
        .map_err(|e| db_error(path, e))?;
        Ok(Self { conn })
    }

    /// Reads every record back in the order they were first stored. A record
    /// that no longer decodes (written by another version) is skipped.
    pub(crate) fn load(&self) -> Result<Loaded, SandboxError> {
        let wrap = |e: rusqlite::Error| SandboxError::Config(format!("database: {e}"));
        let mut statement = self
            .conn
            .prepare("SELECT kind, body FROM records ORDER BY rowid")
            .map_err(wrap)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(wrap)?;
        let mut loaded = Loaded::default();
        for row in rows {
            let (kind, body) = row.map_err(wrap)?;
            match kind.as_str() {
                "order" => loaded.orders.extend(serde_json::from_str(&body).ok()),
                "refund" => loaded.refunds.extend(serde_json::from_str(&body).ok()),
                "profitsharing_receiver" => {
                    loaded.receivers.extend(serde_json::from_str(&body).ok())
                }
                "profitsharing_order" => {
                    loaded.share_orders.extend(serde_json::from_str(&body).ok())
                }
                "profitsharing_return" => loaded
                    .share_returns
                    .extend(serde_json::from_str(&body).ok()),
                "transfer_bill" => loaded
                    .transfer_bills
                    .extend(serde_json::from_str(&body).ok()),
                _ => {}
            }
        }
        Ok(loaded)
    }

    /// Inserts or updates a record (keeping its age).
    pub(crate) fn save(
        &self,
        kind: Kind,
        mchid: &str,
        id: &str,
        body: &impl serde::Serialize,
    ) -> Result<(), String> {
        let body = serde_json::to_string(body).map_err(|e| e.to_string())?;
        self.conn
            .execute(
                "INSERT INTO records (kind, mchid, id, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, mchid, id) DO UPDATE SET body = excluded.body",
                params![kind.name(), mchid, id, body],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Deletes a record the store has forgotten.
    pub(crate) fn delete(&self, kind: Kind, mchid: &str, id: &str) -> Result<(), String> {
        self.conn
            .execute(
                "DELETE FROM records WHERE kind = ?1 AND mchid = ?2 AND id = ?3",
                params![kind.name(), mchid, id],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
