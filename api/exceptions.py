"""Every API error is JSON: a message, the status, and the fields at fault."""

from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real server error: logged, and answered by Django's handler500
    if isinstance(exc, ValidationError) and isinstance(response.data, dict):
        fields = response.data
        first = next(iter(fields.items()), ("", [""]))
        message = f"{first[0]}: {first[1][0] if isinstance(first[1], list) else first[1]}"
        response.data = {"status": response.status_code, "message": message, "fields": fields}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"status": response.status_code, "message": str(response.data["detail"])}
    return response
