from catalog import views
from django.urls import path

urlpatterns = [
    path("authors", views.authors),
    path("authors/<int:author_id>", views.author),
    path("books", views.books),
]

handler404 = views.not_found
