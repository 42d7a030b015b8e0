"""The cleaner on hand-written pages, one test per kind of debris, in four languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pytest

from reader.clean import clean

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

Role = Literal["headline", "junk", "para", "head", "quote"]


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a page: one or more lines that are story or debris."""

    role: Role
    text: str


def headline(text: str) -> Part:
    """The article's headline: it must become `title` and stay out of the body."""
    return Part("headline", text)


def junk(*lines: str) -> Part:
    """Debris lines, one after the other with no blank line between them."""
    return Part("junk", "\n".join(lines))


def para(text: str) -> Part:
    """A paragraph of the story, on one line."""
    return Part("para", text)


def head(text: str) -> Part:
    """A subheading of the story."""
    return Part("head", text)


def quote(text: str, by: str) -> Part:
    """A quotation with its attribution on the next line."""
    return Part("quote", f"{text}\n{by}")


@dataclass(frozen=True, slots=True)
class Story:
    """An article's headline and body: lede, paragraphs, a subheading, a quotation."""

    title: str
    body: tuple[Part, ...]

    @property
    def headline(self) -> Part:
        return headline(self.title)


@dataclass(frozen=True, slots=True)
class Page:
    """A page as copied from a browser, and what the cleaner must make of it."""

    kind: str
    language: str
    text: str
    title: str
    keep: tuple[str, ...]  # paragraphs, quotations and attributions
    headings: tuple[str, ...]
    debris: tuple[str, ...]  # every line that must not be in the body, the headline included
    date: str | None
    author: str | None
    source: str | None

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.language}"


def page(
    kind: str,
    language: str,
    *parts: Part,
    date: str | None = None,
    author: str | None = None,
    source: str | None = None,
    blank: bool = True,
) -> Page:
    """Build a page from its parts; `blank` puts a blank line between parts."""
    title = next(part.text for part in parts if part.role == "headline")
    keep = tuple(line for p in parts if p.role in ("para", "quote") for line in p.text.split("\n"))
    debris = tuple(
        line for p in parts if p.role in ("headline", "junk") for line in p.text.split("\n")
    )
    return Page(
        kind=kind,
        language=language,
        text=("\n\n" if blank else "\n").join(part.text for part in parts) + "\n",
        title=title,
        keep=keep,
        headings=tuple(part.text for part in parts if part.role == "head"),
        debris=debris,
        date=date,
        author=author,
        source=source,
    )


# --- the stories ------------------------------------------------------------------------------

LIBRARY = Story(
    "City library to stay open until midnight during exam season",
    (
        para(
            "Students preparing for their finals will be able to work at the Central Library "
            "until midnight from next Monday, after the council approved a six-week trial of "
            "extended opening hours."
        ),
        para(
            "The decision follows a petition signed by more than 3,000 students, who complained "
            "that the library's reading rooms were full by mid-morning and closed at 8pm, just as "
            "many of them finished their shifts at part-time jobs. Councillors voted unanimously "
            "for the trial on Tuesday evening."
        ),
        para(
            "The late opening will cost around £42,000, most of which will go on additional "
            "security staff and cleaning. The money comes from an underspend in the council's "
            "youth budget, so no other service will be cut to pay for it."
        ),
        head("Quiet floors and free coffee"),
        para(
            "Only the ground and first floors will stay open after 8pm, and the first floor will "
            "be reserved for silent study. A local café has offered to run a coffee stand in the "
            "foyer at cost price until 10pm."
        ),
        quote(
            "“We have been watching students queue outside in the rain at half past eight in the "
            "morning. If we can give them a warm, quiet place to work in the evening, that is "
            "exactly what a public library is for.”",
            "Helen Barker, head of library services",
        ),
        para(
            "The council will count visitors every night and survey users at the end of the "
            "trial. If the figures justify it, the late opening could return every year in May "
            "and June."
        ),
    ),
)

BARRIER = Story(
    "Harbour town finishes flood barrier after ten years of planning",
    (
        para(
            "The last of the steel gates was lowered into place on the harbour wall at Westhaven "
            "on Friday, completing a flood defence scheme that residents have been demanding "
            "since the storm surge of 2014."
        ),
        para(
            "The £18 million barrier runs for almost a kilometre along the seafront and can be "
            "closed in under an hour when a high tide and strong onshore winds are forecast. "
            "Engineers say it will protect around 900 homes and 150 businesses from the kind of "
            "flooding that swept through the old town ten years ago."
        ),
        para(
            "Work began in the spring of 2021 but was delayed twice, first by the discovery of a "
            "medieval slipway beneath the quay and then by a shortage of steel. The "
            "archaeologists who excavated the slipway have since moved its best-preserved "
            "timbers to the town museum."
        ),
        head("A test in the autumn"),
        para(
            "The gates will be closed for the first time in a full-scale trial in October, when "
            "the Environment Agency expects the highest spring tides of the year. Residents will "
            "receive a text message two hours before each closure, and the coastal road will be "
            "shut while the gates are down."
        ),
        quote(
            "“People here have lived with sandbags at their front doors for a decade. For the "
            "first time, they can go to bed on a stormy night without listening for the water.”",
            "Tom Pritchard, chair of the Westhaven Flood Group",
        ),
        para(
            "Not everyone is happy with the result. Some shop owners on the quay say the grey "
            "wall blocks the view of the harbour, and the town council has promised to "
            "commission murals for the landward side before the summer season begins."
        ),
    ),
)

BUSES = Story(
    "Villages get their buses back as county restores evening routes",
    (
        para(
            "Evening and Sunday bus services will return to fourteen villages in the north of the "
            "county from June, two years after they were cut to save money."
        ),
        para(
            "The routes were withdrawn in 2022, when the operator lost a third of its drivers and "
            "the county could no longer afford to subsidise services that often ran with only a "
            "handful of passengers. Since then, residents without a car have depended on lifts "
            "from neighbours or expensive taxis to get home from work."
        ),
        para(
            "A new government grant for rural transport will cover most of the cost for the next "
            "three years. The county has also agreed a contract with a smaller operator that has "
            "recruited twenty new drivers, many of them retired lorry drivers who wanted "
            "part-time work."
        ),
        head("Smaller buses, more stops"),
        para(
            "Instead of the old double-deckers, the routes will be served by sixteen-seat "
            "minibuses that can turn in narrow village streets. Passengers will also be able to "
            "book a stop at their own front door by phone if they have difficulty walking to the "
            "main road."
        ),
        quote(
            "“I stopped going to choir practice when the last bus went. Now I can go again, and "
            "I won't have to ask anybody for a favour.”",
            "Margaret Hill, 81, from Little Ashby",
        ),
        para(
            "Council officers admit that the future of the routes after the grant runs out is "
            "uncertain. They will publish passenger numbers every quarter and hope that at least "
            "half of the cost can eventually be covered by fares."
        ),
    ),
)

HEATING = Story(
    "Stadtwerke wollen 4000 weitere Haushalte an die Fernwärme anschließen",
    (
        para(
            "Die Stadtwerke Lindenau wollen ihr Fernwärmenetz in den kommenden acht Jahren fast "
            "verdoppeln und dabei vor allem die dicht bebauten Viertel im Osten der Stadt "
            "erschließen."
        ),
        para(
            "Nach den Plänen, die der Aufsichtsrat am Montag gebilligt hat, sollen bis 2032 rund "
            "4000 zusätzliche Haushalte mit Wärme versorgt werden. Dafür müssen etwa 35 "
            "Kilometer neue Leitungen verlegt werden, die meisten davon unter Straßen, die "
            "ohnehin saniert werden sollen."
        ),
        para(
            "Die Wärme soll künftig zum größten Teil aus einer Großwärmepumpe am Klärwerk und aus "
            "der Abwärme eines Rechenzentrums stammen. Das alte Gasheizkraftwerk am Hafen wird "
            "dann nur noch an besonders kalten Tagen gebraucht."
        ),
        head("Baustellen in der Innenstadt"),
        para(
            "Für Anwohner und Geschäftsleute bedeutet das Projekt vor allem Baustellen. Die "
            "Stadtwerke versprechen, die Arbeiten mit den Straßenbauämtern abzustimmen, damit "
            "keine Straße zweimal aufgerissen wird."
        ),
        quote(
            "„Wir bauen lieber einmal gründlich als dreimal halb. Wer jetzt eine neue Heizung "
            "braucht, sollte sich bei uns melden, bevor er einen Vertrag für eine Gasheizung "
            "unterschreibt.“",
            "Markus Feldmann, Geschäftsführer der Stadtwerke",
        ),
        para(
            "Was der Anschluss die Haushalte kosten wird, ist noch offen. Die Verbraucherzentrale "
            "rät Eigentümern, die Angebote genau zu vergleichen und auf die Laufzeit der Verträge "
            "zu achten."
        ),
    ),
)

ORCHARDS = Story(
    "Ein Dorf rettet seine alten Apfelbäume",
    (
        para(
            "In Oberhausen am Kocher haben sich mehr als sechzig Freiwillige zusammengetan, um "
            "die Streuobstwiesen rund um das Dorf vor dem Verfall zu bewahren."
        ),
        para(
            "Viele der Hochstämme sind über achtzig Jahre alt und wurden seit Jahrzehnten nicht "
            "mehr geschnitten. Die Besitzer, oft ältere Leute oder Erben, die längst in der Stadt "
            "wohnen, haben keine Zeit oder Kraft mehr, sich um die Bäume zu kümmern."
        ),
        para(
            "Der Verein „Wiesenobst“ pachtet die Flächen für einen symbolischen Euro im Jahr. Im "
            "Gegenzug schneiden die Mitglieder die Bäume, mähen die Wiesen und ernten das Obst, "
            "das in einer Mosterei im Nachbarort zu Saft verarbeitet wird."
        ),
        head("Saft statt Supermarkt"),
        para(
            "Im vergangenen Herbst kamen so mehr als zwölf Tonnen Äpfel und Birnen zusammen. Der "
            "Saft wird im Dorfladen und auf dem Wochenmarkt verkauft, der Erlös fließt in neue "
            "Jungbäume und in Werkzeug."
        ),
        quote(
            "„Am Anfang haben die Leute gedacht, wir wären ein bisschen verrückt. Inzwischen "
            "bringen sie uns Kuchen auf die Wiese, wenn wir schneiden.“",
            "Renate Vogel, Vorsitzende des Vereins",
        ),
        para(
            "Naturschützer begrüßen die Initiative. Streuobstwiesen gehören zu den artenreichsten "
            "Lebensräumen in Mitteleuropa und bieten unter anderem Steinkäuzen, Fledermäusen und "
            "zahlreichen Wildbienen Unterschlupf."
        ),
    ),
)

PUB = Story(
    "Genossenschaft eröffnet die letzte Dorfkneipe neu",
    (
        para(
            "Nach zwei Jahren Leerstand hat der „Goldene Hirsch“ in Wernsdorf wieder geöffnet, "
            "diesmal als Genossenschaft, die 214 Bürgerinnen und Bürgern des Ortes gehört."
        ),
        para(
            "Der frühere Wirt hatte das Gasthaus 2022 aus Altersgründen geschlossen, einen "
            "Nachfolger fand er nicht. Als ein Investor das Gebäude zu Wohnungen umbauen wollte, "
            "gründeten einige Nachbarn eine Genossenschaft und sammelten innerhalb von vier "
            "Monaten genug Geld, um das Haus zu kaufen."
        ),
        para(
            "Ein Anteil kostet 500 Euro, viele Familien haben mehrere gezeichnet. Den Umbau der "
            "Küche und der Toiletten haben Handwerker aus dem Dorf größtenteils in ihrer Freizeit "
            "erledigt."
        ),
        head("Ein Wirt aus dem Nachbarort"),
        para(
            "Geführt wird die Kneipe von einem angestellten Wirt, der zuvor zwanzig Jahre lang in "
            "einem Hotel im Nachbarort gekocht hat. Auf der Karte stehen Schnitzel, Maultaschen "
            "und jeden Freitag Fisch, dazu Bier aus einer kleinen Brauerei im Landkreis."
        ),
        quote(
            "„Eine Kneipe ist mehr als ein Ort, an dem man Bier trinkt. Hier werden "
            "Vereinssitzungen abgehalten, hier trifft man sich nach der Beerdigung, hier erfährt "
            "man, was im Dorf los ist.“",
            "Stefan Brenner, Vorstand der Genossenschaft",
        ),
        para(
            "Ob sich das Modell trägt, wird sich zeigen. Die Genossenschaft rechnet damit, dass "
            "sie frühestens in fünf Jahren schwarze Zahlen schreibt, und hofft auf viele Gäste "
            "bei Familienfeiern."
        ),
    ),
)

SKI = Story(
    "Faute de neige, la station du Col des Aiguilles ferme ses remontées",
    (
        para(
            "Après trois hivers presque sans neige, le conseil municipal de Saint-Alban-des-Monts "
            "a voté lundi soir la fermeture définitive des remontées mécaniques du Col des "
            "Aiguilles."
        ),
        para(
            "La petite station, ouverte en 1968, n'a fonctionné que vingt-deux jours la saison "
            "dernière. Son déficit, comblé chaque année par la commune, a atteint 380 000 euros, "
            "soit près d'un quart du budget municipal."
        ),
        para(
            "Les deux téléskis et le télésiège seront démontés au printemps prochain. Les pièces "
            "encore en bon état pourraient être revendues à une station des Alpes italiennes, "
            "selon le maire."
        ),
        head("Un avenir tourné vers les quatre saisons"),
        para(
            "La commune veut désormais miser sur la randonnée, le VTT et le ski de fond, qui se "
            "pratique plus haut sur le plateau. Un projet de refuge et de sentiers balisés doit "
            "être présenté aux habitants au mois de mai."
        ),
        quote(
            "« Nous avons tout essayé, les canons à neige, les forfaits à prix réduits, les "
            "soirées sur la piste. Il faut avoir le courage de reconnaître que le climat a "
            "changé. »",
            "Jean-Marc Dufour, maire de Saint-Alban-des-Monts",
        ),
        para(
            "Les moniteurs et les saisonniers, une trentaine de personnes chaque hiver, se disent "
            "inquiets pour leur emploi. Plusieurs d'entre eux ont déjà trouvé du travail dans les "
            "grandes stations voisines, à une heure de route."
        ),
    ),
)

NIGHT_TRAIN = Story(
    "Le train de nuit entre Paris et Briançon fait le plein",
    (
        para(
            "Relancé il y a deux ans, le train de nuit reliant Paris à Briançon affiche complet "
            "presque tous les week-ends de l'hiver, au point que la SNCF envisage d'ajouter des "
            "voitures."
        ),
        para(
            "Selon les chiffres publiés mardi par l'opérateur, le taux de remplissage a dépassé "
            "85 % entre décembre et mars. Les couchettes à six places, les moins chères, partent "
            "souvent plusieurs semaines à l'avance."
        ),
        para(
            "Les voyageurs sont en majorité des familles et des skieurs qui veulent éviter la "
            "voiture et les bouchons des vallées alpines. Beaucoup disent apprécier de partir le "
            "vendredi soir après le travail et d'arriver le samedi matin au pied des pistes."
        ),
        head("Du matériel vieillissant"),
        para(
            "Le succès a toutefois un revers. Les voitures, construites dans les années 1970 et "
            "rénovées à la hâte, tombent régulièrement en panne, et le chauffage ne fonctionne "
            "pas toujours dans les compartiments."
        ),
        quote(
            "« Les voyageurs nous pardonnent beaucoup de choses, mais pas d'avoir froid pendant "
            "dix heures. Les nouvelles voitures ne peuvent pas arriver trop tôt. »",
            "Sophie Marchal, présidente de l'association Oui au train de nuit",
        ),
        para(
            "L'État a commandé du matériel neuf, qui ne sera pas livré avant 2027. D'ici là, la "
            "SNCF promet de rénover le chauffage de toutes les voitures pendant l'été."
        ),
    ),
)

MARKET = Story(
    "Après deux ans de travaux, le marché couvert de Villeneuve rouvre ses portes",
    (
        para(
            "Les commerçants du marché couvert de Villeneuve ont retrouvé samedi matin leurs "
            "étals sous la grande halle de fer et de verre, entièrement rénovée après deux ans de "
            "chantier."
        ),
        para(
            "Construite en 1892, la halle menaçait de s'effondrer: la charpente était rongée par "
            "la rouille et plusieurs vitres étaient tombées pendant une tempête. La municipalité "
            "a consacré 6,4 millions d'euros à sa restauration, avec l'aide de la région et de "
            "l'État."
        ),
        para(
            "Pendant les travaux, une quarantaine de commerçants ont dû s'installer sous des "
            "barnums sur le parking voisin. Plusieurs d'entre eux ont vu leur chiffre d'affaires "
            "baisser de moitié, surtout pendant les hivers pluvieux."
        ),
        head("Des horaires élargis"),
        para(
            "Le marché sera désormais ouvert du mardi au dimanche, et jusqu'à 20 heures le "
            "vendredi. Un comptoir de restauration et une petite scène pour des concerts ont été "
            "aménagés au fond de la halle."
        ),
        quote(
            "« On a tenu bon sous la pluie pendant deux hivers. Ce matin, quand j'ai vu les "
            "clients revenir avec leurs paniers, j'avoue que j'ai eu les larmes aux yeux. »",
            "Martine Leroy, fromagère depuis trente ans",
        ),
        para(
            "Les associations de riverains restent vigilantes sur la question du stationnement. "
            "La mairie promet une navette gratuite depuis le parking relais de l'entrée de la "
            "ville le samedi."
        ),
    ),
)

DROUGHT = Story(
    "Un pueblo de Córdoba vive con cortes de agua nocturnos desde hace tres meses",
    (
        para(
            "Los vecinos de Villanueva del Campo llevan desde febrero sin agua corriente entre "
            "las once de la noche y las siete de la mañana, una medida impuesta por la sequía que "
            "ha dejado el embalse que los abastece al 9 % de su capacidad."
        ),
        para(
            "El ayuntamiento decidió los cortes después de que la empresa de aguas advirtiera de "
            "que, al ritmo de consumo del invierno, las reservas se agotarían antes del verano. "
            "Desde entonces, el consumo ha bajado casi un 30 %, según los datos municipales."
        ),
        para(
            "Muchas familias han comprado depósitos de plástico que llenan por la tarde para "
            "poder ducharse o cocinar por la noche. Los bares y restaurantes del centro han "
            "adelantado su hora de cierre, y la piscina municipal no abrirá este año."
        ),
        head("Camiones cisterna en verano"),
        para(
            "La Junta de Andalucía ha prometido enviar camiones cisterna si la situación empeora "
            "en julio y agosto. También estudia conectar el pueblo a una red de abastecimiento "
            "vecina, una obra que tardaría al menos dos años."
        ),
        quote(
            "«La gente lo está llevando con mucha paciencia, pero nadie sabe cuánto tiempo más "
            "vamos a poder aguantar así.»",
            "Carmen Ruiz, alcaldesa de Villanueva del Campo",
        ),
        para(
            "Los agricultores, que ya no pueden regar sus olivares, temen perder buena parte de "
            "la cosecha. Las organizaciones agrarias piden ayudas directas y una moratoria en el "
            "pago de los préstamos."
        ),
    ),
)

SCHOOL = Story(
    "La escuela de Valdelinares reabre con once alumnos gracias a las familias recién llegadas",
    (
        para(
            "Seis años después de cerrar por falta de niños, la escuela de Valdelinares, en la "
            "sierra de Teruel, ha vuelto a abrir sus puertas este curso con once alumnos de entre "
            "tres y doce años."
        ),
        para(
            "La reapertura ha sido posible gracias a la llegada de cinco familias en los últimos "
            "dos años, atraídas por un programa municipal que ofrece viviendas rehabilitadas a "
            "bajo precio. Casi todos los padres teletrabajan o se han hecho cargo de negocios del "
            "pueblo, como la panadería y el bar."
        ),
        para(
            "El Gobierno de Aragón exige un mínimo de seis alumnos para mantener abierta una "
            "escuela rural. Con once matriculados y dos bebés nacidos este año, el ayuntamiento "
            "confía en que el aula tenga futuro."
        ),
        head("Una sola aula para todos"),
        para(
            "Los niños comparten una única clase con una maestra y reciben la visita semanal de "
            "profesores de inglés, música y educación física. Por las tardes, el aula se "
            "convierte en biblioteca y en sala de estudio para los mayores."
        ),
        quote(
            "«Cuando se cierra una escuela, el pueblo empieza a morir. Cuando vuelve a abrir, "
            "todo el mundo sale a la calle a ver a los niños.»",
            "Pilar Gascón, alcaldesa de Valdelinares",
        ),
        para(
            "Los vecinos más mayores recuerdan que en los años sesenta el pueblo llegó a tener "
            "dos maestros y más de cuarenta alumnos. Hoy la escuela vuelve a ser el lugar donde "
            "se celebran las fiestas y las reuniones del pueblo."
        ),
    ),
)

BIKES = Story(
    "Valencia amplía su servicio de bicicletas públicas a los barrios del norte",
    (
        para(
            "El Ayuntamiento de Valencia instalará 40 nuevas estaciones de bicicletas públicas "
            "en los barrios del norte de la ciudad antes de que termine el año, lo que permitirá "
            "llegar en bici a zonas que hasta ahora quedaban fuera del servicio."
        ),
        para(
            "La ampliación supondrá una inversión de 3,2 millones de euros y añadirá unas 600 "
            "bicicletas a la flota actual. La mitad de ellas serán eléctricas, pensadas para los "
            "trayectos más largos y para las calles con pendiente."
        ),
        para(
            "Las asociaciones vecinales llevaban años reclamando que el servicio llegara a sus "
            "barrios. Muchos residentes trabajan en el centro y dependen de líneas de autobús "
            "que, según denuncian, van llenas en las horas punta."
        ),
        head("Más carriles bici"),
        para(
            "El plan incluye también doce kilómetros de nuevos carriles bici que conectarán las "
            "estaciones con la red existente. Las obras comenzarán en septiembre y se harán por "
            "tramos para no cortar el tráfico en las avenidas principales."
        ),
        quote(
            "«No tiene sentido poner bicicletas si la gente no se siente segura en la calzada. "
            "Los carriles son tan importantes como las estaciones.»",
            "Lucía Ferrer, concejala de Movilidad",
        ),
        para(
            "La tarifa anual seguirá costando 30 euros, aunque el uso de las bicicletas "
            "eléctricas tendrá un pequeño recargo por trayecto. El ayuntamiento espera superar "
            "los 100.000 abonados en 2025."
        ),
    ),
)


# --- the pages, by kind of debris -------------------------------------------------------------

PAGES: tuple[Page, ...] = (
    # Site menus and navigation lists at the top.
    page(
        "menu",
        "en",
        junk(
            "Skip to main content",
            "Menu",
            "Search",
            "News",
            "Sport",
            "Business",
            "Opinion",
            "Culture",
            "Weather",
            "Sign in",
        ),
        LIBRARY.headline,
        *LIBRARY.body,
    ),
    page(
        "menu",
        "de",
        junk(
            "Zum Inhalt springen",
            "Startseite",
            "Lokales",
            "Politik",
            "Wirtschaft",
            "Sport",
            "Kultur",
            "Ratgeber",
            "E-Paper",
            "Abo",
        ),
        HEATING.headline,
        *HEATING.body,
    ),
    page(
        "menu",
        "es",
        *(
            junk(item)
            for item in (
                "Portada",
                "Andalucía",
                "España",
                "Internacional",
                "Economía",
                "Deportes",
                "Opinión",
                "Hemeroteca",
            )
        ),
        DROUGHT.headline,
        *DROUGHT.body,
    ),
    # Breadcrumbs above the headline.
    page(
        "breadcrumbs",
        "fr",
        junk("Accueil", "Régions", "Savoie"),
        SKI.headline,
        *SKI.body,
    ),
    page(
        "breadcrumbs",
        "es",
        junk("Inicio › Sociedad › Educación"),
        SCHOOL.headline,
        *SCHOOL.body,
        blank=False,
    ),
    # The headline shown twice (page header, then the article's own).
    page(
        "headline",
        "de",
        junk("Region"),
        ORCHARDS.headline,
        junk("Naturschutz"),
        ORCHARDS.headline,
        *ORCHARDS.body,
    ),
    page(
        "headline",
        "es",
        BIKES.headline,
        junk("Movilidad"),
        BIKES.headline,
        *BIKES.body,
    ),
    # Photo captions shown twice, and photo credits.
    page(
        "captions",
        "fr",
        NIGHT_TRAIN.headline,
        junk("Le train de nuit Paris-Briançon à son arrivée en gare de Briançon."),
        junk("Le train de nuit Paris-Briançon à son arrivée en gare de Briançon.", "© AFP"),
        *NIGHT_TRAIN.body[:3],
        junk(
            "Une voiture-couchettes du train de nuit, rénovée en 2021.",
            "Une voiture-couchettes du train de nuit, rénovée en 2021.",
            "Photo : SNCF Voyageurs",
        ),
        *NIGHT_TRAIN.body[3:],
    ),
    page(
        "captions",
        "en",
        BARRIER.headline,
        junk(
            "Workers lower the last steel gate into place on the harbour wall at Westhaven.",
            "Workers lower the last steel gate into place on the harbour wall at Westhaven.",
        ),
        junk("Photo: Mark Ellis / Westhaven Gazette"),
        *BARRIER.body[:4],
        junk("The barrier seen from the old quay at low tide.", "Getty Images"),
        junk("The barrier seen from the old quay at low tide."),
        *BARRIER.body[4:],
    ),
    page(
        "captions",
        "de",
        PUB.headline,
        junk(
            "Der „Goldene Hirsch“ in Wernsdorf ist seit Freitag wieder geöffnet.",
            "Foto: dpa",
            "Der „Goldene Hirsch“ in Wernsdorf ist seit Freitag wieder geöffnet.",
        ),
        *PUB.body[:3],
        junk(
            "Die neue Küche haben Handwerker aus dem Dorf eingebaut.",
            "Die neue Küche haben Handwerker aus dem Dorf eingebaut.",
            "Bild: Jana Roth",
        ),
        *PUB.body[3:],
        blank=False,
    ),
    # Timestamps: "Published ... | Updated ..." lines.
    page(
        "timestamps",
        "en",
        BUSES.headline,
        junk("Published March 12, 2024 | Updated March 13, 2024, 8:12 a.m."),
        *BUSES.body,
        date="2024-03-12",
        blank=False,
    ),
    page(
        "timestamps",
        "fr",
        MARKET.headline,
        junk("Publié le 16/09/2023 à 14h31 | Mis à jour le 17/09/2023 à 08h05"),
        *MARKET.body,
        date="2023-09-16",
    ),
    page(
        "timestamps",
        "de",
        HEATING.headline,
        junk(
            "Veröffentlicht am 12.03.2024 um 15:13 Uhr",
            "Zuletzt aktualisiert am 13.03.2024 um 08:12 Uhr",
        ),
        *HEATING.body,
        date="2024-03-12",
    ),
    page(
        "timestamps",
        "es",
        DROUGHT.headline,
        junk("4 de junio de 2024, 18:30 | Actualizado: 5 de junio de 2024, 10:42"),
        *DROUGHT.body,
        date="2024-06-04",
    ),
    # Gallery counters ("1/6") and video durations ("0:47").
    page(
        "gallery",
        "es",
        junk("Vídeo: Así es por dentro la escuela de Valdelinares", "1:24"),
        SCHOOL.headline,
        junk(
            "1/6",
            "Los alumnos, el primer día de clase.",
            "Foto: Ayuntamiento de Valdelinares",
        ),
        *SCHOOL.body,
    ),
    page(
        "gallery",
        "de",
        PUB.headline,
        junk("1/8", "Der Gastraum nach dem Umbau.", "Foto: Jana Roth"),
        *PUB.body[:4],
        junk("Video", "Wernsdorf: So sieht der neue Goldene Hirsch aus", "2:13"),
        *PUB.body[4:],
    ),
    page(
        "gallery",
        "fr",
        junk("VIDÉO - La dernière descente sur les pistes du Col des Aiguilles", "0:52"),
        SKI.headline,
        junk("1/5", "Le télésiège sera démonté au printemps.", "Photo : Mairie de Saint-Alban"),
        *SKI.body,
    ),
    # The author's name alone on a line near the top.
    page(
        "author",
        "de",
        ORCHARDS.headline,
        junk("Julia Hartmann"),
        *ORCHARDS.body,
        author="Julia Hartmann",
    ),
    page(
        "author",
        "fr",
        MARKET.headline,
        junk("Camille Rousseau"),
        junk("16 septembre 2023 à 14h31"),
        *MARKET.body,
        author="Camille Rousseau",
        date="2023-09-16",
    ),
    page(
        "author",
        "en",
        LIBRARY.headline,
        junk("Sarah Collins", "Education correspondent"),
        *LIBRARY.body,
        author="Sarah Collins",
    ),
    # "Article originally published on Example.com" lines.
    page(
        "source",
        "en",
        BARRIER.headline,
        *BARRIER.body,
        junk("Article originally published on WestcountryNews.com"),
        source="WestcountryNews",
    ),
    page(
        "source",
        "fr",
        NIGHT_TRAIN.headline,
        *NIGHT_TRAIN.body,
        junk("Article original publié sur AlpesMatin.fr"),
        source="AlpesMatin",
    ),
    page(
        "source",
        "de",
        PUB.headline,
        *PUB.body,
        junk("Dieser Artikel erschien zuerst auf Schwabenbote.de"),
        source="Schwabenbote",
    ),
    # Share buttons.
    page(
        "share",
        "en",
        BUSES.headline,
        junk("Share", "Tweet", "Email", "Print"),
        *BUSES.body,
        junk("Share this article", "Facebook", "Twitter", "WhatsApp"),
    ),
    page(
        "share",
        "de",
        HEATING.headline,
        junk("Teilen"),
        *HEATING.body,
        junk("Teilen", "Twittern", "Per Mail senden", "Drucken"),
    ),
    page(
        "share",
        "fr",
        SKI.headline,
        junk("Partager", "Partager sur Facebook", "Partager sur X", "Copier le lien"),
        *SKI.body,
        blank=False,
    ),
    page(
        "share",
        "es",
        BIKES.headline,
        junk("Compartir en Facebook", "Compartir en X", "Enviar por WhatsApp"),
        *BIKES.body,
    ),
    # Cookie consent notices: long, grammatical sentences.
    page(
        "cookies",
        "en",
        junk(
            "We value your privacy",
            "We and our partners use cookies and similar technologies to store and access "
            "information on your device. We use this information to personalise content and "
            "advertising, to provide social media features and to analyse how our website is "
            "used. You can accept all cookies, reject them, or choose which purposes you allow "
            "by selecting “Manage preferences”, and you can change your mind at any time using "
            "the link at the bottom of every page.",
            "Accept all",
            "Reject all",
            "Manage preferences",
        ),
        BARRIER.headline,
        *BARRIER.body,
    ),
    page(
        "cookies",
        "de",
        ORCHARDS.headline,
        *ORCHARDS.body,
        junk(
            "Ihre Privatsphäre ist uns wichtig",
            "Wir und unsere Partner speichern Informationen auf Ihrem Gerät und greifen auf sie "
            "zu, um Inhalte und Anzeigen zu personalisieren, Funktionen für soziale Medien "
            "anzubieten und die Nutzung unseres Angebots zu messen. Mit einem Klick auf "
            "„Akzeptieren“ willigen Sie in diese Verarbeitung ein. Ihre Einwilligung können Sie "
            "jederzeit über den Link „Privatsphäre“ am Ende jeder Seite widerrufen.",
            "Akzeptieren",
            "Einstellungen",
        ),
    ),
    page(
        "cookies",
        "fr",
        junk(
            "Nous utilisons des cookies et des technologies similaires pour mesurer l'audience "
            "de notre site, vous proposer des contenus et des publicités adaptés à vos centres "
            "d'intérêt et vous permettre de partager nos articles sur les réseaux sociaux. Vous "
            "pouvez accepter ou refuser ces cookies, ou modifier vos choix à tout moment en "
            "cliquant sur le lien « Gérer mes cookies » en bas de page.",
            "Tout accepter",
            "Continuer sans accepter",
            "Personnaliser",
        ),
        MARKET.headline,
        *MARKET.body,
    ),
    # Newsletter sign-up prompts.
    page(
        "newsletter",
        "es",
        DROUGHT.headline,
        *DROUGHT.body[:3],
        junk(
            "Boletín diario",
            "Recibe cada mañana en tu correo las noticias más importantes de Córdoba y su "
            "provincia, seleccionadas por nuestra redacción.",
            "Tu correo electrónico",
            "Suscríbete",
        ),
        *DROUGHT.body[3:],
    ),
    page(
        "newsletter",
        "en",
        LIBRARY.headline,
        *LIBRARY.body,
        junk(
            "Get the Evening Brief",
            "Sign up to receive the day's most important local stories in your inbox every "
            "weekday at 6pm, completely free of charge.",
            "Enter your email address",
            "Sign up",
            "By signing up, you agree to our privacy policy. You can unsubscribe at any time.",
        ),
    ),
    page(
        "newsletter",
        "de",
        PUB.headline,
        *PUB.body[:2],
        junk(
            "Newsletter",
            "Jeden Morgen um sechs Uhr die wichtigsten Nachrichten aus dem Landkreis direkt in "
            "Ihr Postfach: Melden Sie sich jetzt für unseren kostenlosen Newsletter an.",
            "E-Mail-Adresse",
            "Jetzt anmelden",
        ),
        *PUB.body[2:],
    ),
    # "Read also" links inside the story.
    page(
        "read-also",
        "fr",
        NIGHT_TRAIN.headline,
        *NIGHT_TRAIN.body[:2],
        junk("Lire aussi : Trains de nuit : l'Europe relance ses lignes, la France à la traîne"),
        *NIGHT_TRAIN.body[2:5],
        junk("À lire aussi", "Ski : les stations de moyenne montagne face au manque de neige"),
        *NIGHT_TRAIN.body[5:],
    ),
    page(
        "read-also",
        "de",
        HEATING.headline,
        *HEATING.body[:2],
        junk("Lesen Sie auch: Wärmepumpe oder Fernwärme? Was sich für Eigentümer lohnt"),
        *HEATING.body[2:],
    ),
    page(
        "read-also",
        "en",
        BUSES.headline,
        *BUSES.body[:3],
        junk("Read also: Rail fares to rise by 4.6% in March"),
        *BUSES.body[3:5],
        junk("READ MORE: Why rural bus routes are disappearing across England"),
        *BUSES.body[5:],
    ),
    # Related-article teasers after the story.
    page(
        "related",
        "en",
        LIBRARY.headline,
        *LIBRARY.body,
        junk("Related stories"),
        junk(
            "Council approves plans for new swimming pool in Eastfield",
            "The £9m leisure centre will replace the Victorian baths, which closed in 2019 after "
            "part of the roof collapsed.",
        ),
        junk(
            "Students march through city centre over rising rents",
            "More than 400 students took part in the protest on Saturday, demanding a cap on "
            "rents in private halls of residence.",
        ),
        junk("Library fines abolished in drive to win back readers"),
    ),
    page(
        "related",
        "es",
        SCHOOL.headline,
        *SCHOOL.body,
        junk(
            "Noticias relacionadas",
            "Teruel pierde otros 800 habitantes en un año pese a los planes contra la despoblación",
            "El pueblo que regala casas a las familias con niños",
            "Una panadería reabre en Alcalá de la Selva tras quince años cerrada",
        ),
    ),
    page(
        "related",
        "fr",
        MARKET.headline,
        *MARKET.body,
        junk("Sur le même sujet"),
        junk(
            "Villeneuve : la place du marché bientôt piétonne",
            "La municipalité veut interdire les voitures sur la place le week-end à partir de "
            "l'été prochain.",
        ),
        junk(
            "Les halles de Lyon fêtent leurs cinquante ans",
            "Concerts, dégustations et visites guidées sont au programme de tout le mois "
            "d'octobre.",
        ),
    ),
    # Comment sections: a header, then readers' comments that are long sentences.
    page(
        "comments",
        "en",
        BUSES.headline,
        *BUSES.body,
        junk("14 Comments"),
        junk(
            "Dave Turner",
            "March 13, 2024 at 9:41 am",
            "About time too. My daughter has been paying £25 for a taxi every time she works a "
            "late shift in town, which is more than she earns in the last two hours of the shift.",
            "Reply",
        ),
        junk(
            "Linda Marsh",
            "March 13, 2024 at 11:02 am",
            "Good news for the villages, but I will believe it when I see it. We were promised the "
            "same thing before the last election and nothing happened for two years.",
            "Reply",
        ),
    ),
    page(
        "comments",
        "de",
        ORCHARDS.headline,
        *ORCHARDS.body,
        junk("Kommentare (2)"),
        junk(
            "Klaus M.",
            "14.10.2023, 18:22 Uhr",
            "Toll, dass sich in Oberhausen so viele Leute engagieren. Bei uns im Ort sind die "
            "alten Bäume leider schon vor Jahren gefällt worden, weil sich niemand mehr um sie "
            "kümmern wollte.",
            "Antworten",
        ),
        junk(
            "Gärtnerin76",
            "14.10.2023, 20:05 Uhr",
            "Wo kann man den Saft denn kaufen? Ich würde gerne ein paar Flaschen bestellen, auch "
            "wenn ich nicht in der Gegend wohne.",
            "Antworten",
        ),
    ),
    page(
        "comments",
        "fr",
        NIGHT_TRAIN.headline,
        *NIGHT_TRAIN.body,
        junk("2 commentaires"),
        junk(
            "Pierre-Yves L.",
            "Le 14 mars 2024 à 08h12",
            "J'ai pris ce train en février avec mes deux enfants et c'était une très belle "
            "expérience, même si le chauffage ne marchait pas dans notre compartiment. Vivement "
            "les nouvelles voitures.",
            "Répondre",
            "Montagnard05",
            "Le 14 mars 2024 à 10h47",
            "Dommage qu'il n'y ait qu'un seul train par nuit, et qu'il faille réserver aussi "
            "longtemps à l'avance pour avoir une couchette pendant les vacances scolaires.",
            "Répondre",
        ),
        blank=False,
    ),
    # Footers: copyright, imprint, privacy links.
    page(
        "footer",
        "de",
        PUB.headline,
        *PUB.body,
        junk(
            "Impressum",
            "Datenschutz",
            "AGB",
            "Kontakt",
            "Cookie-Einstellungen",
            "© 2024 Kreisbote Verlag GmbH & Co. KG. Alle Rechte vorbehalten.",
        ),
    ),
    page(
        "footer",
        "es",
        BIKES.headline,
        *BIKES.body,
        junk(
            "Aviso legal · Política de privacidad · Política de cookies · Contacto",
            "© Diario del Turia 2024. Todos los derechos reservados.",
            "Ediciones del Turia S.L. · CIF B46123456 · Avenida del Puerto 112, 46023 Valencia",
        ),
        blank=False,
    ),
    page(
        "footer",
        "fr",
        SKI.headline,
        *SKI.body,
        junk("Mentions légales", "Politique de confidentialité", "Gérer mes cookies"),
        junk("Nous contacter", "© Le Courrier des Alpes 2024 - Tous droits réservés"),
    ),
    # Long strings of numbers.
    page(
        "numbers",
        "fr",
        MARKET.headline,
        *MARKET.body,
        junk(
            *"""71304 28816 05592 63077 49120 88413 17265 30948 56671 92036 44580 09713 67329
            21854 85107 39462 70291 13588 58046 96723""".split()
        ),
    ),
    page(
        "numbers",
        "en",
        BARRIER.headline,
        *BARRIER.body,
        junk("1 2 3 4 5 6 7 8 9 10 11 12"),
        junk("418203", "559317", "602844", "731095", "884126", "907351", "115478", "263390"),
    ),
)


def cases(kind: str) -> list[ParameterSet]:
    """The pages of one kind of debris, in two languages at least."""
    pages = [p for p in PAGES if p.kind == kind]
    assert len({p.language for p in pages}) >= 2, kind
    return [pytest.param(p, id=p.id) for p in pages]


def check(page: Page) -> None:
    """The debris is gone, the story and its subheadings are kept, the metadata is right."""
    article = clean(page.text)
    lines = article.body.split("\n")
    assert [line for line in page.debris if line in lines] == []
    assert [line for line in page.keep if line not in lines] == []
    headings = [block.text for block in article.blocks if block.kind == "heading"]
    assert [h for h in page.headings if h not in headings] == []
    assert article.title == page.title
    if page.date is not None:
        assert article.date == page.date
    if page.author is not None:
        assert article.author == page.author
    if page.source is not None:
        assert article.source == page.source


@pytest.mark.parametrize("page", cases("menu"))
def test_menus(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("breadcrumbs"))
def test_breadcrumbs(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("headline"))
def test_headline_shown_twice(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("captions"))
def test_captions_shown_twice_and_credits(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("timestamps"))
def test_timestamps(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("gallery"))
def test_gallery_counters_and_video_durations(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("author"))
def test_author_alone_on_a_line(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("source"))
def test_originally_published_on(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("share"))
def test_share_buttons(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("cookies"))
def test_cookie_notices(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("newsletter"))
def test_newsletter_prompts(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("read-also"))
def test_read_also_links(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("related"))
def test_related_teasers(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("comments"))
def test_comment_sections(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("footer"))
def test_footers(page: Page) -> None:
    check(page)


@pytest.mark.parametrize("page", cases("numbers"))
def test_long_strings_of_numbers(page: Page) -> None:
    check(page)


ALL = [pytest.param(p, id=p.id) for p in PAGES]


@pytest.mark.parametrize("page", ALL)
def test_cleaning_is_idempotent(page: Page) -> None:
    body = clean(page.text).body
    assert clean(body).body == body


@pytest.mark.parametrize("page", ALL)
def test_every_block_is_a_piece_of_the_input(page: Page) -> None:
    assert all(block.text in page.text for block in clean(page.text).blocks)
