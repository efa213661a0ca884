"""The MCP tools, one module per area (sandglass.mcp.catalog names which tool lives where)."""
