"""Throwaway API views for the token tests: who is asking, and a view that needs someone."""

from django.urls import path
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import APIToken


class WhoAmI(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        token = request.auth if isinstance(request.auth, APIToken) else None
        return Response(
            {
                "user": request.user.get_username() if request.user.is_authenticated else None,
                "token": token.prefix if token else None,
            }
        )


class Private(WhoAmI):
    permission_classes = [IsAuthenticated]


urlpatterns = [
    path("whoami/", WhoAmI.as_view(), name="whoami"),
    path("private/", Private.as_view(), name="private"),
]
