"""HTTP glue shared by every API function: resolver factory, tenant context, pagination."""
