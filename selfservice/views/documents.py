"""A document's PDF for the customer (F-D2, F-D3): only through `documents_for`, so another cabinet's is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.http import content_disposition_header

from backoffice.pdf import document_pdf_filename, document_render_pdf

from ..selectors import documents_for


@login_required
def document_pdf(request, pk: int):
    document = get_object_or_404(documents_for(user=request.user), pk=pk)
    response = HttpResponse(document_render_pdf(document=document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document_pdf_filename(document=document)
    )
    return response


# Under «История» → «Документы» (F-D2); "documents/" itself belongs to Wagtail's document library.
urls = [path("history/documents/<int:pk>/pdf/", document_pdf, name="document_pdf")]
