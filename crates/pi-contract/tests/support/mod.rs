//! Helpers shared by more than one integration test; each test that needs
//! them declares `mod support;`.

pub(crate) mod python;
