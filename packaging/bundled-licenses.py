#!/usr/bin/env python3
"""Prints the copyright-file stanzas of the third-party jars in a lib directory: each jar's license as its
own Maven POM (META-INF/maven/**/pom.xml) declares it, else the first line of its META-INF/LICENSE*.
Usage: bundled-licenses.py LIBDIR INSTALLED_DIR"""
import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile


def license_of(path):
    with zipfile.ZipFile(path) as jar:
        names = jar.namelist()
        for name in names:
            if re.match(r"META-INF/maven/[^/]+/[^/]+/pom\.xml$", name):
                try:
                    root = ET.fromstring(jar.read(name))
                except ET.ParseError:
                    continue
                found = [e.text.strip() for e in root.iter() if e.tag.endswith("}name") or e.tag == "name"
                         if e.text and _under_licenses(root, e)]
                if found:
                    return "; ".join(dict.fromkeys(found))
        for name in names:
            if re.match(r"META-INF/LICENSE(\.txt|\.md)?$", name, re.I):
                for line in jar.read(name).decode("utf-8", "replace").splitlines():
                    if line.strip():
                        return line.strip()
    return "not declared in the jar; see its upstream project"


def _under_licenses(root, element):
    # ElementTree has no parent pointers: look for <licenses><license><name> paths.
    for licenses in root.iter():
        if licenses.tag.endswith("licenses"):
            for lic in licenses:
                for child in lic:
                    if child is element:
                        return True
    return False


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    libdir, installed = sys.argv[1], sys.argv[2]
    for jar in sorted(os.listdir(libdir)):
        if jar.endswith(".jar"):
            print(f"\nFiles: {installed}/{jar}\nCopyright: the authors of {jar[:-4]}\n"
                  f"License: other\n Declared by the jar: {license_of(os.path.join(libdir, jar))}")


if __name__ == "__main__":
    main()
