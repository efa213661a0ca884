"""The 4me Timesheets dialect (seed 003): snake_case fields, `?fields=`, page/per_page with a Link
header, the `account` header naming the organization. 4me's "organization" is a Sandglass group."""
