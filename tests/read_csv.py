#!/usr/bin/env python3
# Reads a CSV report back as Swedish Excel would: UTF-8 with BOM, ';', the excel dialect.
# Prints "BOM" or "NOBOM", then each record as a JSON array, one per line.
import csv, io, json, sys
data = open(sys.argv[1], 'rb').read()
print("BOM" if data.startswith(b'\xef\xbb\xbf') else "NOBOM")
text = data.decode('utf-8-sig')
for row in csv.reader(io.StringIO(text, newline=''), dialect='excel', delimiter=';'):
    print(json.dumps(row))
