from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "consortium.directory"
    verbose_name = "Joined-up directory"

    def ready(self) -> None:
        # SQLite has no pg_trgm: give its connections the same strict_word_similarity() function.
        from consortium.directory import similarity

        similarity.install()
