"""The demo site's content for `seed_demo`: five news items, the catalog of ten services with a price list, the user
manual, «Условия оплаты» and «Контакты». Idempotent: a page found by its slug is left as editors may have changed it.

Images are drawn here (flat pictograms in the brand colour), the price list is rendered with WeasyPrint, so the
demo needs no files from outside.
"""

import datetime
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.documents.models import Document
from wagtail.images.models import Image

from .models import (
    CONTACTS_SLUG,
    PAYMENT_TERMS_SLUG,
    HomePage,
    ManualPage,
    NewsIndexPage,
    NewsPage,
    ServiceCatalogPage,
    ServicePage,
    StandardPage,
)

BRAND, SOFT, ACCENT = (11, 83, 148), (232, 240, 249), (255, 191, 71)

# (slug, title, price from, pictogram, summary, description, contract only)
SERVICES = (
    (
        "tehnologicheskoe-prisoedinenie",
        "Технологическое присоединение",
        "2150.90",
        "plug",
        "Подключение энергопринимающих устройств к электрическим сетям.",
        "<p>Технологическое присоединение представляет собой совокупность мероприятий по обеспечению фактического "
        "присоединения энергопринимающих устройств организации к объектам электросетевого хозяйства и мероприятий по "
        "получению необходимой документации.</p><p>Процедура технологического присоединения регламентируется правилами "
        "технологического присоединения, утверждёнными Постановлением Правительства РФ от 27.12.2004 № 861.</p>",
        False,
    ),
    (
        "zamena-pribora-ucheta",
        "Замена прибора учёта",
        "3450.00",
        "meter",
        "Демонтаж старого и установка нового счётчика с опломбировкой.",
        "<p>Специалист приедет в согласованное время, снимет контрольные показания старого прибора, установит новый "
        "счётчик, опломбирует его и оформит акт допуска в эксплуатацию.</p><p>В стоимость входит работа; прибор учёта "
        "можно приобрести у нас или предоставить свой.</p>",
        False,
    ),
    (
        "poverka-pribora-ucheta",
        "Поверка прибора учёта",
        "1200.00",
        "check",
        "Проверка счётчика перед окончанием межповерочного интервала.",
        "<p>Поверка подтверждает, что прибор учёта считает правильно. Её проводят до окончания межповерочного "
        "интервала (МПИ), указанного в паспорте счётчика.</p><p>Мы демонтируем прибор, передадим его в "
        "аккредитованную лабораторию "
        "и установим обратно с новым свидетельством о поверке.</p>",
        False,
    ),
    (
        "intellektualnyj-pribor-ucheta",
        "Установка интеллектуального прибора учёта",
        "8900.00",
        "meter",
        "Счётчик, который сам передаёт показания: без ежемесячной передачи вручную.",
        "<p>Интеллектуальный прибор учёта передаёт показания автоматически, поддерживает многотарифный учёт и "
        "позволяет видеть потребление по часам.</p><p>Подходит для квартир, частных домов и небольших предприятий.</p>",
        False,
    ),
    (
        "oplombirovka",
        "Опломбировка прибора учёта",
        "650.00",
        "seal",
        "Установка пломб после ремонта, переноса или замены счётчика.",
        "<p>Пломбы защищают прибор учёта и его подключение от вмешательства. После ремонта или переноса счётчика "
        "пломбы нужно восстановить, иначе объём потребления может быть рассчитан по нормативу.</p>",
        False,
    ),
    (
        "kontrolnoe-snyatie-pokazanij",
        "Выезд специалиста для контрольного снятия показаний",
        "480.00",
        "check",
        "Сверка показаний на месте, если вы сомневаетесь в начислениях.",
        "<p>Специалист снимет показания прибора учёта в вашем присутствии и составит акт. Если показания разошлись с "
        "начисленными, начисления будут пересчитаны.</p>",
        False,
    ),
    (
        "energoaudit",
        "Энергетическое обследование (энергоаудит)",
        "15000.00",
        "chart",
        "Оценка потребления и программа энергосбережения для организации.",
        "<p>Обследование систем электроснабжения, анализ потребления и рекомендации по снижению затрат. По итогам — "
        "энергетический паспорт и программа энергосбережения.</p>",
        False,
    ),
    (
        "akt-razgranicheniya",
        "Оформление акта разграничения балансовой принадлежности",
        "2800.00",
        "document",
        "Документ о границах ответственности сторон за электросети.",
        "<p>Акт определяет, где заканчиваются сети сетевой организации и начинаются ваши, и кто отвечает за их "
        "состояние. Нужен при заключении и изменении договора энергоснабжения.</p>",
        False,
    ),
    (
        "vosstanovlenie-dokumentov",
        "Восстановление документов о технологическом присоединении",
        "1900.00",
        "document",
        "Дубликаты утерянных актов и технических условий.",
        "<p>Если документы о технологическом присоединении утеряны, мы восстановим их по архивным данным и выдадим "
        "заверенные дубликаты.</p>",
        False,
    ),
    (
        "spravka-o-raschetah",
        "Справка о состоянии расчётов",
        "350.00",
        "document",
        "Справка об отсутствии задолженности или о состоянии расчётов по договору.",
        "<p>Справка о состоянии расчётов на выбранную дату с подписью и печатью. Нужна для банков, тендеров и "
        "госорганов.</p><p>Достаточно выбрать договор: менеджер свяжется с вами по контактам из профиля.</p>",
        True,
    ),
)

NEWS = (
    (
        2,
        "График работы отделений в праздничные дни",
        "Отделения и контактный центр меняют часы работы на время праздников.",
        "<p>В праздничные дни отделения принимают посетителей с 9:00 до 15:00, контактный центр работает "
        "круглосуточно. "
        "Оплатить счета и передать показания можно в личном кабинете в любое время.</p>",
    ),
    (
        9,
        "Новая услуга: установка интеллектуального прибора учёта",
        "Счётчик сам передаёт показания — больше не нужно делать это вручную.",
        "<p>В каталоге услуг появилась установка интеллектуального прибора учёта. Заявку можно отправить прямо из "
        "личного кабинета: раздел «Услуги», карточка услуги, «Отправить заявку».</p>",
    ),
    (
        20,
        "Оплата картой без комиссии",
        "Оплачивайте счета в личном кабинете банковской картой без комиссии.",
        "<p>В разделе «Оплата» выберите документы или введите сумму и нажмите «Перейти к оплате». Чек придёт на "
        "указанный e-mail.</p>",
    ),
    (
        45,
        "Изменение тарифов с 1 июля",
        "Тарифы на электроэнергию для населения проиндексированы.",
        "<p>С 1 июля тарифы для населения изменяются в соответствии с решением регионального регулятора. Действующие "
        "тарифы и историю их изменения можно посмотреть в реквизитах лицевого счёта.</p>",
    ),
    (
        80,
        "Личный кабинет обновлён",
        "Новые разделы «Уведомления» и «Помощь», удобная версия для телефона.",
        "<p>Мы обновили личный кабинет: появились уведомления о счетах и оплатах, раздел «Помощь» с ответами на частые "
        "вопросы и контактами вашего отделения, а страницы удобно открывать на телефоне.</p>",
    ),
)

PAYMENT_TERMS = (
    "<h2>Сроки оплаты</h2><p>Счёт за электроэнергию оплачивается до 10-го числа месяца, следующего за расчётным, если "
    "договором не установлен другой срок. Организации вносят авансовые платежи в сроки, указанные в договоре.</p>"
    "<h2>Способы оплаты</h2><ul><li>банковской картой в личном кабинете — без комиссии;</li><li>по QR-коду "
    "квитанции в любом банке;</li><li>в кассах отделений и в отделениях Почты России.</li></ul>"
    "<h2>Пени</h2><p>За просрочку оплаты начисляются пени в размере, установленном законом. Пени отображаются "
    "отдельной строкой в разделе «Оплата».</p>"
)
CONTACTS = (
    "<h2>Контактный центр</h2><p>8 800 000-00-00, звонок бесплатный. Пн–Пт 8:00–20:00, Сб 9:00–15:00.</p>"
    "<h2>Отделения</h2><p>Адреса, телефоны и руководители отделений, а также куратор вашего договора указаны в "
    "личном кабинете: «Помощь» → «Контакты».</p><h2>Письменные обращения</h2><p>Раздел «Обращения» личного "
    "кабинета или e-mail info@energokabinet.example.</p>"
)

MANUAL_SECTIONS = (
    (
        "Назначение личного кабинета",
        [
            (
                "paragraph",
                "<p>Личный кабинет позволяет бытовым абонентам и организациям без визита в офис смотреть "
                "начисления и документы, оплачивать счета, передавать показания приборов учёта, заказывать услуги и "
                "направлять обращения.</p>",
            ),
        ],
    ),
    (
        "Вход в личный кабинет",
        [
            ("subheading", "Регистрация"),
            (
                "paragraph",
                "<p>Нажмите «Регистрация», укажите e-mail и пароль, отметьте «Я принимаю пользовательское "
                "соглашение». На почту придёт код из пяти цифр: введите его в форму «Введите код, отправленный на "
                "почту».</p>",
            ),
            ("subheading", "Вход"),
            (
                "paragraph",
                "<p>Введите e-mail (или логин прежнего кабинета) и пароль, нажмите «Войти». Отметьте "
                "«Запомнить меня», чтобы не входить заново. Если есть непрочитанные новости, после входа откроется "
                "раздел «Новости».</p>",
            ),
            ("note", "После трёх неудачных попыток входа потребуется ввести код с картинки."),
        ],
    ),
    (
        "Раздел «Оплата»",
        [
            (
                "paragraph",
                "<p>Здесь видны задолженность, авансы и переплата по каждому договору и лицевому счёту. "
                "Выберите документы или введите сумму и нажмите «Перейти к оплате».</p>",
            ),
        ],
    ),
    (
        "Раздел «Показания»",
        [
            (
                "paragraph",
                "<p>Для каждого прибора учёта введите показания по всем тарифным зонам, нажмите "
                "«Рассчитать», проверьте расход и нажмите «Передать показания». Передача доступна в период приёма "
                "показаний.</p>",
            ),
        ],
    ),
    (
        "Раздел «Услуги»",
        [
            (
                "paragraph",
                "<p>В каталоге у каждой услуги указаны описание и приблизительная стоимость. Откройте "
                "карточку, выберите договор или лицевой счёт, проверьте контакты и нажмите «Отправить». Появится "
                "окно с "
                "номером заказа и кнопкой «Перейти в историю заказов».</p>",
            ),
            ("note", "Для некоторых услуг достаточно выбрать договор — поля с контактами скрыты."),
            (
                "paragraph",
                "<p>Менеджер свяжется с вами и выставит счёт; счёт появится в разделе «История» → "
                "«Документы», статус заказа — в «История» → «Заказы».</p>",
            ),
        ],
    ),
    (
        "Раздел «История»",
        [
            (
                "paragraph",
                "<p>Вкладки «Документы», «Платежи», «Показания» и «Заказы». На вкладке «Заказы» по "
                "каждому заказу показаны услуга, договор, дата, номер, цена и статус: Новый, Принят, Выставлен счёт, "
                "Выполнен или Отменён.</p>",
            ),
        ],
    ),
    (
        "Раздел «Помощь»",
        [
            (
                "paragraph",
                "<p>На вкладке «Вопрос - Ответ» введите текст в поле «Поисковая фраза» или выберите "
                "группу — откроются подходящие вопросы; нажмите на вопрос, чтобы увидеть ответ. На вкладке «Контакты» "
                "указаны руководитель, телефон и адрес отделения и куратор по договору.</p>",
            ),
            (
                "paragraph",
                "<p>Кнопка «Быстрый старт» показывает подсказки по элементам главного экрана. Нажмите "
                "«Далее», чтобы перейти к следующей, или «×», чтобы закрыть подсказки.</p>",
            ),
        ],
    ),
    (
        "Раздел «Уведомления»",
        [
            (
                "paragraph",
                "<p>Кнопка «Колокольчик» в правом верхнем углу показывает число непрочитанных уведомлений; "
                "по нажатию открываются последние пять. В разделе «Уведомления» сверху новые и непрочитанные, ниже "
                "прочитанные. Длинный текст разворачивается ссылкой «еще» и сворачивается ссылкой «скрыть».</p>",
            ),
            (
                "paragraph",
                "<p>Важные сообщения компании показываются после входа в модальном окне: «1 из N», "
                "кнопки «Вперед» и «Назад». Для закрытия нажмите кнопку подтверждения.</p>",
            ),
        ],
    ),
    (
        "Раздел «Профиль»",
        [
            (
                "paragraph",
                "<p>На вкладке «Уведомления» профиля выберите, какие уведомления получать в личном "
                "кабинете, на e-mail и по SMS; для каждого договора — «О счетах» и «Об оплате»; включите или отключите "
                "«E-mail уведомления» и «Рекламная рассылка»; выберите, за сколько дней (от 1 до 15) напоминать о "
                "начале и окончании периода передачи показаний.</p>",
            ),
            ("note", "Переключатель «E-mail уведомления» включает и отключает в целом все уведомления на e-mail."),
        ],
    ),
)


def _pictogram(kind: str) -> bytes:
    """A flat pictogram on the brand's light tint: a plug, a meter, a tick, a seal, a chart or a document."""
    width, height = 960, 540
    image = PillowImage.new("RGB", (width, height), SOFT)
    draw = ImageDraw.Draw(image)
    cx, cy = width // 2, height // 2
    if kind == "plug":
        draw.polygon(
            [
                (cx - 30, cy - 150),
                (cx + 60, cy - 150),
                (cx + 10, cy - 20),
                (cx + 80, cy - 20),
                (cx - 60, cy + 160),
                (cx - 10, cy + 20),
                (cx - 80, cy + 20),
            ],
            fill=BRAND,
        )
    elif kind == "meter":
        draw.rounded_rectangle([cx - 150, cy - 170, cx + 150, cy + 170], radius=28, fill=BRAND)
        draw.rounded_rectangle([cx - 110, cy - 120, cx + 110, cy - 40], radius=10, fill=SOFT)
        for index in range(5):
            draw.rectangle([cx - 95 + index * 40, cy - 105, cx - 70 + index * 40, cy - 55], fill=BRAND)
        draw.ellipse([cx - 50, cy + 10, cx + 50, cy + 110], fill=ACCENT)
    elif kind == "check":
        draw.ellipse([cx - 160, cy - 160, cx + 160, cy + 160], fill=BRAND)
        draw.line([(cx - 80, cy), (cx - 20, cy + 65), (cx + 90, cy - 60)], fill=SOFT, width=38, joint="curve")
    elif kind == "seal":
        draw.ellipse([cx - 140, cy - 140, cx + 140, cy + 140], outline=BRAND, width=34)
        draw.ellipse([cx - 60, cy - 60, cx + 60, cy + 60], fill=ACCENT)
        draw.rectangle([cx - 12, cy + 140, cx + 12, cy + 230], fill=BRAND)
    elif kind == "chart":
        for index, bar in enumerate((120, 200, 160, 260)):
            left = cx - 190 + index * 100
            draw.rectangle([left, cy + 150 - bar, left + 70, cy + 150], fill=ACCENT if index == 3 else BRAND)
        draw.line([(cx - 220, cy + 155), (cx + 220, cy + 155)], fill=BRAND, width=10)
    else:
        draw.rounded_rectangle(
            [cx - 120, cy - 170, cx + 120, cy + 170], radius=18, fill=(255, 255, 255), outline=BRAND, width=14
        )
        for index in range(5):
            draw.rectangle(
                [cx - 80, cy - 110 + index * 50, cx + (80 if index % 2 else 40), cy - 90 + index * 50], fill=BRAND
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _image(title: str, kind: str) -> Image:
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    image = Image(title=title, file=ImageFile(io.BytesIO(_pictogram(kind)), name=f"service-{kind}.png"))
    image.save()
    return image


def _rubles(amount: str) -> str:
    """«2 150,90 ₽» with non-breaking spaces, as the portal prints money."""
    nbsp = "\u00a0"
    whole, cents = f"{Decimal(amount):,.2f}".split(".")
    return whole.replace(",", nbsp) + f",{cents}{nbsp}₽"


def _price_list() -> Document:
    title = "Прейскурант на платные услуги"
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    from weasyprint import HTML

    rows = "".join(
        f"<tr><td>{number}</td><td>{name}</td><td class='num'>от {_rubles(price)}</td></tr>"
        for number, (_slug, name, price, *_rest) in enumerate(SERVICES, 1)
    )
    html = (
        "<html lang='ru'><head><meta charset='utf-8'><style>@page{size:A4;margin:18mm}"
        "body{font:10.5pt 'DejaVu Sans',sans-serif}h1{font-size:16pt}table{width:100%;border-collapse:collapse}"
        "td,th{border:.5pt solid #999;padding:2mm}th{background:#e8f0f9;text-align:left}.num{text-align:right;"
        "white-space:nowrap}</style></head><body><h1>Прейскурант на платные услуги</h1><p>Цены указаны с НДС. "
        "Окончательная стоимость определяется после согласования объёма работ.</p><table><tr><th>№</th>"
        f"<th>Услуга</th><th>Стоимость</th></tr>{rows}</table></body></html>"
    )
    document = Document(title=title)
    document.file.save("preyskurant.pdf", ContentFile(HTML(string=html).write_pdf()), save=False)
    document.save()
    return document


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _standard_pages(home: HomePage) -> None:
    for slug, title, intro, body in (
        (PAYMENT_TERMS_SLUG, "Условия оплаты", "Как и когда оплачивать электроэнергию и услуги.", PAYMENT_TERMS),
        (CONTACTS_SLUG, "Контакты", "Как связаться с компанией.", CONTACTS),
    ):
        if not StandardPage.objects.filter(slug=slug).exists():
            _publish(home, StandardPage(title=title, slug=slug, intro=intro, body=body))


def _news(home: HomePage, today: datetime.date) -> NewsIndexPage:
    index = NewsIndexPage.objects.first()
    if index is None:
        index = _publish(home, NewsIndexPage(title="Новости", slug="news", intro="Новости компании для всех клиентов."))
    for days_ago, title, summary, body in NEWS:
        if not NewsPage.objects.filter(title=title).exists():
            date = today - datetime.timedelta(days=days_ago)
            _publish(index, NewsPage(title=title, date=date, summary=summary, body=body))
    return index


def _catalog(home: HomePage) -> ServiceCatalogPage:
    catalog = ServiceCatalogPage.objects.first()
    price_list = _price_list()
    if catalog is None:
        catalog = _publish(
            home,
            ServiceCatalogPage(
                title="Услуги",
                slug="services",
                intro="Платные услуги для бытовых абонентов и организаций. Заявку можно отправить прямо отсюда.",
                price_list=price_list,
            ),
        )
    for slug, title, price, kind, summary, description, contract_only in SERVICES:
        if not ServicePage.objects.filter(slug=slug).exists():
            _publish(
                catalog,
                ServicePage(
                    title=title,
                    slug=slug,
                    price_from=Decimal(price),
                    summary=summary,
                    description=description,
                    image=_image(title, kind),
                    price_list=price_list,
                    contract_only=contract_only,
                ),
            )
    return catalog


def _manual(home: HomePage) -> ManualPage:
    manual = ManualPage.objects.first()
    if manual is not None:
        return manual
    body = []
    for heading, blocks in MANUAL_SECTIONS:
        body.append(("heading", heading))
        body.extend(blocks)
    return _publish(
        home,
        ManualPage(
            title="Инструкция пользователя",
            slug="manual",
            intro="Руководство по работе с личным кабинетом клиента: вход, оплата, показания, услуги, уведомления.",
            body=body,
        ),
    )


@transaction.atomic
def demo_content_create(*, today: datetime.date | None = None) -> dict[str, int]:
    """Publish the demo site's pages once; return how many of each kind exist."""
    today = today or timezone.localdate()
    home = HomePage.objects.get()
    _standard_pages(home)
    _news(home, today)
    _catalog(home)
    _manual(home)
    return {
        "news": NewsPage.objects.live().count(),
        "services": ServicePage.objects.live().count(),
        "manuals": ManualPage.objects.live().count(),
    }
