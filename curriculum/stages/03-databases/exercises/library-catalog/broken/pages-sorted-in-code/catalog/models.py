from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, unique=True)  # the database refuses a second copy
    year = models.IntegerField()
    # PROTECT: deleting an author who still has books raises ProtectedError instead of deleting them.
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="books")

    class Meta:
        indexes = [models.Index(fields=["title", "id"])]  # the listing's ORDER BY

    def as_json(self):
        return {"id": self.id, "title": self.title, "isbn": self.isbn, "year": self.year, "author_id": self.author_id}
