from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, unique=True)  # the database refuses a second copy
    year = models.IntegerField()
    # BROKEN: CASCADE deletes the author's books along with the author instead of refusing.
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")

    class Meta:
        indexes = [models.Index(fields=["title", "id"])]  # the listing's ORDER BY

    def as_json(self):
        return {"id": self.id, "title": self.title, "isbn": self.isbn, "year": self.year, "author_id": self.author_id}
