//! The embedded reference endpoint (being written).
