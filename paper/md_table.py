#!/usr/bin/env python3
"""Prints a results CSV as a Markdown table, so the report's numbers are copied from results, never typed.

usage: paper/md_table.py FILE.csv [--pm VALUE:SD ...] [--digits N] [--drop COL ...]
  --pm accuracy:"acc sd"  joins two columns as "value ± sd" under the first one's name.
"""
import argparse
import csv


def fmt(text, digits):
    try:
        value = float(text)
    except ValueError:
        return text or "—"
    if value == int(value) and abs(value) >= 1 and "." not in text:
        return str(int(value))
    return f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--pm", nargs="*", default=[])
    parser.add_argument("--drop", nargs="*", default=[])
    parser.add_argument("--digits", type=int, default=3)
    args = parser.parse_args()
    with open(args.file, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    pairs = dict(p.split(":", 1) for p in args.pm)
    hidden = set(pairs.values()) | set(args.drop)
    columns = [c for c in header if c not in hidden]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in body:
        cells = dict(zip(header, row))
        out = []
        for c in columns:
            text = fmt(cells[c], args.digits)
            if c in pairs and cells.get(pairs[c]):
                text += " ± " + fmt(cells[pairs[c]], args.digits)
            out.append(text)
        print("| " + " | ".join(out) + " |")


if __name__ == "__main__":
    main()
