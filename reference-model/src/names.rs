//! Names and keys of the things the model stores.

use crate::wire::{RemediationExceptionResourceKey, ResourceKey};
use std::fmt;

/// The name of a Config rule (validated: 1..128 UTF-16 units, pattern `.*\S.*`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleName(String);

impl RuleName {
    pub fn new(name: impl Into<String>) -> Self {
        RuleName(name.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One evaluated resource: its type and id, the identity every shape of key maps to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceRef {
    pub resource_type: String,
    pub resource_id: String,
}

impl ResourceRef {
    pub fn new(resource_type: impl Into<String>, resource_id: impl Into<String>) -> Self {
        ResourceRef { resource_type: resource_type.into(), resource_id: resource_id.into() }
    }
    pub fn to_key(&self) -> ResourceKey {
        ResourceKey { resource_type: self.resource_type.clone(), resource_id: self.resource_id.clone() }
    }
    pub fn to_exception_key(&self) -> RemediationExceptionResourceKey {
        RemediationExceptionResourceKey {
            resource_type: Some(self.resource_type.clone()),
            resource_id: Some(self.resource_id.clone()),
        }
    }
}

impl From<&ResourceKey> for ResourceRef {
    fn from(k: &ResourceKey) -> Self {
        ResourceRef::new(&k.resource_type, &k.resource_id)
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.resource_type, self.resource_id)
    }
}

/// The key of a remediation exception. Both parts are optional in the service model (M-01),
/// but an exception can only exist for a key that names a whole resource (R-PRE-04 needs its
/// compliance), so a stored exception always has both.
pub type ExceptionKey = ResourceRef;

/// The resource an exception key names, if it names one completely.
pub fn exception_key_resource(key: &RemediationExceptionResourceKey) -> Option<ResourceRef> {
    Some(ResourceRef::new(key.resource_type.clone()?, key.resource_id.clone()?))
}
