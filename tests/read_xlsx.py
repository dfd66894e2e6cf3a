#!/usr/bin/env python3
# Reads an XLSX report back with openpyxl. Prints one JSON object per line: a sheet
# {"sheet", "freeze", "widths"} then its cells {"sheet", "cell", "row", "col", "type", "value",
# "format"}; type is "n" (number), "s" (text) or "d" (date, value YYYY-MM-DD).
import datetime, json, sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
for ws in book.worksheets:
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    print(json.dumps({"sheet": ws.title, "freeze": ws.freeze_panes, "widths": widths}))
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            if isinstance(c.value, (datetime.datetime, datetime.date)):
                kind, value = "d", c.value.strftime("%Y-%m-%d")
            elif isinstance(c.value, (int, float)):
                kind, value = "n", c.value
            else:
                kind, value = "s", str(c.value)
            print(json.dumps({"sheet": ws.title, "cell": c.coordinate, "row": c.row,
                              "col": c.column, "type": kind, "value": value,
                              "format": c.number_format}))
