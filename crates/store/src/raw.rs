//! A minimal read-only cursor on the raw SQLite handle, for the bulk reads that must be fast.
//!
//! sqlx hands every row from its connection worker thread to the caller through a channel, copying
//! each value with `sqlite3_value_dup` on the way: at 100k tracks × 25 columns that costs several
//! times the ~250 ms budget of `load_tracks`, almost all of it in malloc. Reading the columns
//! straight off the statement allocates only the `String`s that the caller keeps. Everything else
//! in the store goes through sqlx.

use std::ffi::{c_int, CStr};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;

use crate::{Result, StoreError};

/// A prepared statement on a locked connection, finalized on drop.
pub(crate) struct RawQuery<'h> {
    db: NonNull<ffi::sqlite3>,
    statement: NonNull<ffi::sqlite3_stmt>,
    /// The statement must not outlive the lock that keeps sqlx's worker off the connection.
    _handle: PhantomData<&'h mut ()>,
}

impl<'h> RawQuery<'h> {
    /// Prepares `sql` (one statement without parameters) on the locked connection.
    pub(crate) fn prepare(handle: &'h mut LockedSqliteHandle<'_>, sql: &str) -> Result<Self> {
        let db = handle.as_raw_handle();
        let length = c_int::try_from(sql.len())
            .map_err(|_| StoreError::invalid("sql", "statement text too long"))?;
        let mut statement = ptr::null_mut();
        // SAFETY: `db` is a live connection that the lock gives us exclusive use of; `sql` is valid
        // for `length` bytes (SQLite does not need a NUL terminator when the length is given).
        let code = unsafe {
            ffi::sqlite3_prepare_v2(
                db.as_ptr(),
                sql.as_ptr().cast(),
                length,
                &mut statement,
                ptr::null_mut(),
            )
        };
        if code != ffi::SQLITE_OK {
            return Err(database_error(db, code));
        }
        let statement = NonNull::new(statement)
            .ok_or_else(|| StoreError::invalid("sql", "no statement in the text"))?;
        Ok(RawQuery {
            db,
            statement,
            _handle: PhantomData,
        })
    }

    /// Advances to the next row; `None` when the result is exhausted.
    pub(crate) fn next_row(&mut self) -> Result<Option<RawRow<'_>>> {
        // SAFETY: the statement is live (finalized only on drop) and used from one thread at a time.
        match unsafe { ffi::sqlite3_step(self.statement.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(Some(RawRow {
                statement: self.statement,
                _query: PhantomData,
            })),
            ffi::SQLITE_DONE => Ok(None),
            code => Err(database_error(self.db, code)),
        }
    }
}

impl Drop for RawQuery<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement came from `sqlite3_prepare_v2` and is finalized exactly once.
        unsafe {
            ffi::sqlite3_finalize(self.statement.as_ptr());
        }
    }
}

/// The current row of a [`RawQuery`]; it borrows the query, so it cannot outlive the step.
pub(crate) struct RawRow<'q> {
    statement: NonNull<ffi::sqlite3_stmt>,
    _query: PhantomData<&'q mut ()>,
}

impl RawRow<'_> {
    fn is_null(&self, column: c_int) -> bool {
        // SAFETY: the statement is positioned on a row (see `next_row`); out-of-range columns
        // report SQLITE_NULL rather than misbehaving.
        unsafe { ffi::sqlite3_column_type(self.statement.as_ptr(), column) == ffi::SQLITE_NULL }
    }

    pub(crate) fn text(&self, column: c_int, field: &'static str) -> Result<Option<String>> {
        if self.is_null(column) {
            return Ok(None);
        }
        // SAFETY: as in `is_null`. The pointer stays valid until the next step or a conversion of
        // this column, and `sqlite3_column_bytes` is called after `sqlite3_column_text` as the
        // SQLite documentation requires. The bytes are copied before either can happen.
        let bytes = unsafe {
            let text = ffi::sqlite3_column_text(self.statement.as_ptr(), column);
            let length = ffi::sqlite3_column_bytes(self.statement.as_ptr(), column);
            if text.is_null() {
                return Ok(Some(String::new()));
            }
            std::slice::from_raw_parts(text, usize::try_from(length).unwrap_or(0))
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text.to_owned())),
            Err(error) => Err(StoreError::corrupt(field, error)),
        }
    }

    pub(crate) fn required_text(&self, column: c_int, field: &'static str) -> Result<String> {
        self.text(column, field)?
            .ok_or_else(|| StoreError::corrupt(field, "NULL in a required column"))
    }

    /// An integer column converted to `T`; out-of-range values are corrupt data.
    pub(crate) fn int<T: TryFrom<i64>>(
        &self,
        column: c_int,
        field: &'static str,
    ) -> Result<Option<T>> {
        if self.is_null(column) {
            return Ok(None);
        }
        // SAFETY: as in `is_null`.
        let value = unsafe { ffi::sqlite3_column_int64(self.statement.as_ptr(), column) };
        T::try_from(value)
            .map(Some)
            .map_err(|_| StoreError::corrupt(field, format!("{value} is out of range")))
    }

    pub(crate) fn required_int<T: TryFrom<i64>>(
        &self,
        column: c_int,
        field: &'static str,
    ) -> Result<T> {
        self.int(column, field)?
            .ok_or_else(|| StoreError::corrupt(field, "NULL in a required column"))
    }

    pub(crate) fn required_double(&self, column: c_int, field: &'static str) -> Result<f64> {
        if self.is_null(column) {
            return Err(StoreError::corrupt(field, "NULL in a required column"));
        }
        // SAFETY: as in `is_null`.
        Ok(unsafe { ffi::sqlite3_column_double(self.statement.as_ptr(), column) })
    }
}

/// The connection's error message for a failed call.
fn database_error(db: NonNull<ffi::sqlite3>, code: c_int) -> StoreError {
    // SAFETY: `db` is live; `sqlite3_errmsg` returns a NUL-terminated string owned by SQLite that we
    // copy at once.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(db.as_ptr());
        if text.is_null() {
            String::from("unknown error")
        } else {
            CStr::from_ptr(text).to_string_lossy().into_owned()
        }
    };
    StoreError::Sqlite { code, message }
}
