import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

PASSWORD = "Secret-pass-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    last_name = "Иванов"
    first_name = "Иван"
    middle_name = "Иванович"
    phone = "+79001234567"  # with the name, «Давайте познакомимся» is filled (F-A3)
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])
