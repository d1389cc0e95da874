"""The invoice hash: what ZATCA chains (PIH), signs and prints in the QR (tag 6).

Rule (the ``invoiceSignedData`` reference of the signature, as ZATCA's SDK computes it):

1. parse the XML and remove ``ext:UBLExtensions``, ``cac:Signature`` and the ``cac:AdditionalDocumentReference``
   whose ``cbc:ID`` is ``QR`` (the three XPath transforms), keeping the text around them: the tail text of a removed
   element joins the text before it, as removing nodes from an XPath node-set leaves the other text nodes;
2. canonicalise the remaining document, inclusive C14N without comments;
3. SHA-256; the hash is the base64 of the 32 bytes (not of their hex).

C14N 1.1 and C14N 1.0 (libxml2's, which lxml exposes) differ only in how ``xml:`` attributes (``xml:base``,
``xml:id``, inherited ``xml:lang``/``xml:space``) are treated in a document *subset*.  The removed parts are whole
subtrees (``ancestor-or-self``), so what is canonicalised is a whole document, for which both give the same bytes;
the invoices carry no ``xml:`` attributes either.  The SDK samples' own digests are reproduced this way, and the
tests check that libxml2's own C14N 1.1 mode gives the same bytes on the samples and on the writer's documents.
"""

from __future__ import annotations

import base64
import hashlib

from lxml import etree

__all__ = [
    "FIRST_PREVIOUS_HASH",
    "canonical_bytes",
    "hash_bytes",
    "invoice_hash",
    "parse",
    "remove_keeping_text",
]

NS = {
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_EXCLUDED = "/*/ext:UBLExtensions | /*/cac:Signature | /*/cac:AdditionalDocumentReference[cbc:ID = 'QR']"
# The PIH of the first document of a chain: the base64 of the hex SHA-256 of "0".
FIRST_PREVIOUS_HASH = base64.b64encode(hashlib.sha256(b"0").hexdigest().encode("ascii")).decode("ascii")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)


def parse(xml: bytes) -> etree._ElementTree:
    """The XML parsed safely (no entities resolved, no network), keeping every whitespace text."""
    return etree.ElementTree(etree.fromstring(xml, _PARSER))


def remove_keeping_text(element: etree._Element) -> None:
    """Remove ``element`` from its parent; its tail text joins the text before it."""
    parent = element.getparent()
    if parent is None:
        raise ValueError("Cannot remove the root element.")
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def canonical_bytes(xml: bytes) -> bytes:
    """The bytes that are hashed: ``xml`` without the signature, the QR and the extensions, canonicalised."""
    tree = parse(xml)
    for element in tree.getroot().xpath(_EXCLUDED, namespaces=NS):
        remove_keeping_text(element)
    return etree.tostring(tree, method="c14n", with_comments=False)


def hash_bytes(xml: bytes) -> bytes:
    """The 32 bytes of the invoice hash of ``xml``."""
    return hashlib.sha256(canonical_bytes(xml)).digest()


def invoice_hash(xml: bytes) -> str:
    """The invoice hash of ``xml`` as ZATCA writes it: base64 of the 32 bytes of the SHA-256."""
    return base64.b64encode(hash_bytes(xml)).decode("ascii")
