"""Stage 1, load: read every input (CSV, Excel, the 903 XML) into typed polars frames."""
