"""Adjustments to the generated OpenAPI schema."""


def listing_is_closed(result, generator, request, public):
    """The listing form of a document has exactly its fields: a full document is not one.

    Without this, ``oneOf: [Document, DocumentListing]`` would match a full document twice.
    """
    listing = result.get("components", {}).get("schemas", {}).get("DocumentListing")
    if listing is not None:
        listing["additionalProperties"] = False
    return result
