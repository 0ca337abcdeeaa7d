"""Emergency detection: recall first, in every language, and the reply leads with the number."""
import pytest

from bot.messages import Message

EMERGENCIES = [
    # opioid overdose, in the ways people actually text it
    ("my friend isnt breathing", "overdose"),
    ("he's not breathing!!!", "overdose"),
    ("she is barely breathin", "overdose"),
    ("my bf stopped breathing after he used", "overdose"),
    ("lips are turning blue", "overdose"),
    ("his lips r blue", "overdose"),
    ("she went blue and wont wake up", "overdose"),
    ("cant wake him up", "overdose"),
    ("my roommate is unresponsive", "overdose"),
    ("friend passed out and wont respond", "overdose"),
    ("someone is ODing", "overdose"),
    ("buddy od'ing help", "overdose"),
    ("i think my friend is overdosing rn", "overdose"),
    ("HELP HE IS OVERDOSING", "overdose"),
    ("overdose help pls", "overdose"),
    ("she od'd what do i do", "overdose"),
    ("guy snoring weird and wont wake up after using", "overdose"),
    ("helppp my friend took fent and is not waking up", "overdose"),
    ("not breathing", "overdose"),
    ("unconcious", "overdose"),
    # stimulants and alcohol
    ("my friend took molly and is having a seizure", "stimulant-overamp"),
    ("he's seizing after smoking meth", "stimulant-overamp"),
    ("chest pain after coke", "stimulant-overamp"),
    ("my friend drank way too much and wont wake up", "alcohol-poisoning"),
    ("she's really drunk and passed out, can't wake her", "alcohol-poisoning"),
    # suicide and self-harm
    ("i want to kill myself", "mental-health-crisis"),
    ("i feel like ending it all", "mental-health-crisis"),
    ("thinking about suicide", "mental-health-crisis"),
    ("i dont want to be alive anymore", "mental-health-crisis"),
    ("i want to die", "mental-health-crisis"),
    ("gonna hurt myself tonight", "mental-health-crisis"),
    # French
    ("mon ami ne respire plus", "overdose"),
    ("elle fait une surdose aidez moi", "overdose"),
    ("il ne se réveille pas", "overdose"),
    ("ses lèvres sont bleues", "overdose"),
    ("je veux me suicider", "mental-health-crisis"),
    # Spanish
    ("mi amiga no respira", "overdose"),
    ("no despierta y tiene los labios azules", "overdose"),
    ("mi hermano tuvo una sobredosis", "overdose"),
    ("quiero matarme", "mental-health-crisis"),
    # held-out messages the bot once missed (slang, no accents, the way people type in a panic)
    ("been up 5 days on tina and im freakin out heart pounding so hot cant cool down", "stimulant-overamp"),
    ("my friend smoked crack and now shes shaking and not making sense and super hot", "stimulant-overamp"),
    ("gonna take all my pills and end it", "mental-health-crisis"),
    ("which side do i roll someone on if theyre passed out", "overdose"),
    ("mon chum respire pu aidez moi", "overdose"),
    ("il ronfle bizarre pis je peux pas le reveiller", "overdose"),
    ("jai mal dans la poitrine pis mon coeur bat trop vite apres la coke", "stimulant-overamp"),
    ("ma blonde a trop pris de speed, elle surchauffe pis elle est toute melangee", "stimulant-overamp"),
    ("ma coloc a bu toute la soiree, a vomi pis est inconsciente", "alcohol-poisoning"),
    ("me quiero matar", "mental-health-crisis"),
    ("me duele el pecho y el corazon me late muy rapido despues de la coca", "stimulant-overamp"),
    ("esta ronkando raro y no puedo despertarlo", "overdose"),
    ("se metio mucho cristal y esta ardiendo y bien paranoico", "stimulant-overamp"),
    ("creo que me estoy sobredosando ayudame", "overdose"),
]

NOT_EMERGENCIES = [
    "what are the signs of an overdose",
    "overdose symptoms",
    "signs of alcohol poisoning",
    "what is overamping",
    "how do i know if someone is overdosing",
    "how to prevent an overdose",
    "how do fentanyl test strips work",
    "where can i get narcan",
    "what is xylazine",
    "c'est quoi les signes d'une surdose",
    "cuales son los sintomas de una sobredosis",
    "mon ami a fait une surdose la semaine passee, comment l aider",
    "mi amigo tuvo una sobredosis la semana pasada, va a estar bien?",
]


@pytest.mark.parametrize("text,topic", EMERGENCIES)
def test_emergency_is_detected(ask, text, topic):
    reply = ask(text)
    assert reply.emergency, text
    assert reply.topic == topic
    assert reply.escalate


@pytest.mark.parametrize("text,_", EMERGENCIES)
def test_emergency_reply_leads_with_the_number(ask, engine, text, _):
    for channel in ("sms", "telegram", "whatsapp"):
        reply = ask(text, channel=channel)
        assert reply.text.startswith(engine.config.emergency_number), reply.text


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_asking_about_signs_is_information(ask, text):
    reply = ask(text)
    assert not reply.emergency, text
    assert reply.topic is not None


def test_overdose_reply_gives_naloxone_after_the_number(ask):
    reply = ask("my friend is not breathing")
    text = reply.text.lower()
    assert text.index("911") < text.index("naloxone")


@pytest.mark.parametrize("lang,text", [("fr", "mon ami ne respire plus"), ("es", "mi amigo no respira")])
def test_emergency_reply_is_in_the_texters_language(ask, lang, text):
    reply = ask(text)
    assert reply.lang == lang
    assert reply.text.startswith("911")


def test_emergency_is_answered_even_after_stop(talk):
    assert talk("STOP").topic == "stop"
    assert talk("what is fentanyl").kind == "silent"
    reply = talk("my friend is not breathing")
    assert reply.emergency and reply.text.startswith("911")


def test_emergency_also_answers_the_question_asked(ask):
    """Fear of arrest stops people calling: with an emergency described, the steps come first, then
    the law, in its own message."""
    for text in ["she's barely breathing, will i get arrested if i call 911",
                 "he wont wake up can i get charged for calling 911"]:
        reply = ask(text)
        assert reply.emergency and reply.text.startswith("911"), text
        assert any("Good Samaritan" in f for f in reply.followups), (text, reply.followups)
    reply = ask("he's blue where do i get narcan")
    assert reply.emergency and any("aloxone" in f for f in reply.followups)
    assert ask("my friend is not breathing").followups == []


@pytest.mark.parametrize("text,lang", [
    ("will i get arrested if i call 911 for an od", "en"),
    ("can i get charged for calling 911", "en"),
    ("if i call 911 for my friend and i got a warrant will they arrest me", "en"),
    ("im not a citizen, if i call an ambulance will immigration find out", "en"),
    ("si j'appelle le 911 pour un ami, la police va tu m'arrêter?", "fr"),
    ("si llamo al 911 me pueden deportar? no tengo papeles", "es"),
])
def test_questions_about_calling_911_get_the_law_not_an_alarm(ask, text, lang):
    """Asking about police, warrants or papers is not an emergency: the Good Samaritan answer, and no
    staff are alerted."""
    reply = ask(text)
    assert not reply.emergency and not reply.escalate, text
    assert reply.topic == "good-samaritan", (text, reply.topic)
    assert reply.lang == lang


# Concepts, not sentences: each line below is written to exercise one mechanism in emergency.toml
# (time framing, habits, jokes, a colour said of a thing, "it's over now") in words of our own.
@pytest.mark.parametrize("text", [
    "the ocean looked so blue on our trip",                              # a colour, not a person
    "pourquoi la mer est grise aujourd'hui",
    "el agua del lago se puso azul",
    "this stats midterm is killing me lol",                             # a joke
    "mon boss va me tuer mdr",
    "el examen me va a matar jaja",
    "on friday my cousin stopped breathing for a bit, he's fine now",   # over, and fine now
    "vendredi mon chum a arrêté de respirer, il va bien aujourd'hui",
    "el domingo mi tio dejo de respirar un rato pero hoy ya esta bien",
    "no está pasando ahorita pero qué hago si alguien convulsiona",    # not happening now
])
def test_past_jokes_and_things_are_not_emergencies(ask, text):
    reply = ask(text)
    assert not reply.emergency, text


@pytest.mark.parametrize("text", [
    "my roommate is throwing up while passed out on her back",         # vomiting while out cold
    "mon coloc vomit endormi sur le dos",
    "mi compa esta dormido y vomitando boca arriba",
    "le dimos naloxona hace rato y sigue igual",                        # naloxone, and no change
    "mi primo no abre los ojos",                                        # won't open eyes
    "il ouvre pu les yeux pis y respire bizarre",
])
def test_danger_signs_said_new_ways_are_emergencies(ask, text):
    assert ask(text).emergency, text


# Which emergency reply follows what the message describes, not which word came first: signs of an
# opioid overdose get naloxone even after a stimulant; heat, chest pain or a racing heart on an upper
# get the overamp steps; drinking alone gets the alcohol steps; a plan to jump gets the crisis reply;
# "is she dead?" is fear for someone, not intent.
KIND_BY_CONCEPT = [
    ("my buddy did a bunch of meth and hes way too hot and his heart is racing", "stimulant-overamp"),
    ("she smoked crystal and now her chest hurts real bad", "stimulant-overamp"),
    ("my cousin did a line of coke and now he isnt breathing", "overdose"),
    ("is she dead?? she isnt moving and her face is grey", "overdose"),
    ("my roommate drank a whole bottle of vodka and now he wont wake up", "alcohol-poisoning"),
    ("hes up on the roof saying hes going to jump", "mental-health-crisis"),
    ("mon chum a fumé du crystal pis il a mal dans la poitrine", "stimulant-overamp"),
    ("elle a pris de la coke pis elle respire pu", "overdose"),
    ("est-ce qu'il est mort? il bouge pu pis ses lèvres sont mauves", "overdose"),
    ("ma soeur a bu toute la bouteille pis on peut pas la réveiller", "alcohol-poisoning"),
    ("mon ami est sur le pont pis il dit qu'il va sauter", "mental-health-crisis"),
    ("mi primo fumo cristal y tiene dolor en el pecho", "stimulant-overamp"),
    ("se metio coca y ya no respira", "overdose"),
    ("esta muerto?? no se mueve y tiene los labios morados", "overdose"),
    ("mi amigo bebio mucho tequila y no despierta", "alcohol-poisoning"),
    ("mi hermana dice que se va a tirar del puente ahorita", "mental-health-crisis"),
]


@pytest.mark.parametrize("text,topic", KIND_BY_CONCEPT)
def test_the_kind_of_emergency_follows_the_signs_described(ask, text, topic):
    reply = ask(text)
    assert reply.emergency and reply.topic == topic, (text, reply.topic)


@pytest.mark.parametrize("text,topic", [
    ("what should i do if i find someone passed out at the bus stop?", "overdose"),
    ("my friend nods off hard after using but wakes up when i yell, should i worry", "overdose"),
    ("que hago si a alguien se le ponen los labios morados? es por si acaso", "overdose"),
])
def test_a_danger_sign_asked_about_is_answered_with_its_topic(ask, text, topic):
    """No emergency now, but the sign says which topic explains it: offered first, not "I don't know",
    and the safety line leads."""
    reply = ask(text)
    assert not reply.emergency and reply.topic == topic and reply.caution, (text, reply.topic)


def test_a_drug_merely_named_with_od_does_not_pull_towards_overdose(engine):
    """"Easy to od on" names no sign of anyone in danger: the question is about the drug."""
    reading = engine.read(Message("is it easy to od on ghb, how much is too much"))
    assert reading.verdict.lean is None and engine.ranked(reading)[0].topic == "ghb"


@pytest.mark.parametrize("text", [
    "if my buddy ods at my place and theres a bag on the table can they charge me",
    "si mon coloc fait une od chez nous, les flics peuvent m'arrêter pour ce qu'il y a dans l'appart?",
    "si alguien tiene una sobredosis en mi casa me pueden acusar por la droga que hay?",
])
def test_the_law_around_an_overdose_is_offered_first(ask, text):
    """No emergency described: the Good Samaritan answer is what is asked, not the overdose steps."""
    reply = ask(text)
    assert not reply.emergency and reply.topic == "good-samaritan", (text, reply.topic)


def test_stopping_in_french_is_not_an_arrest(engine):
    """"arrêter" is also "to stop": stopping benzos is not a question about the police."""
    assert not engine.read(Message("jai arrêté mes benzos d'un coup, c'est dangereux?", lang="fr")).verdict.law


@pytest.mark.parametrize("text", [
    "he has a noose up in the garage n says tonite is the night",
    "i sliced too deep and its soaking through the towel",
    "ma coloc s'est tailladée profond pis le sang arrête pas",
    "mi prima se corto muy hondo en el baño y no deja de sangrar",
])
def test_self_harm_and_means_with_a_time_are_the_crisis_emergency(ask, text):
    reply = ask(text)
    assert reply.emergency and reply.topic == "mental-health-crisis", (text, reply.kind, reply.topic)


@pytest.mark.parametrize("text", [
    "il est là avec moi au parc, on attend le bus",
    "how do i clean a cut on my knee from skateboarding",
])
def test_ordinary_words_of_emergencies_are_not_one(ask, text):
    assert not ask(text).emergency, text


@pytest.mark.parametrize("text", [
    "vite un monsieur tout mauve dans le parking du metro",
    "mi compa tiene espuma en la boca y no se mueve",
    "il a de la mousse à la bouche depuis tantôt",
    "me trague el bote entero de pastillas para dormir",
    "popped a few bars w my drinks n now i can barely keep my eyes open",
])
def test_concepts_found_in_set_e_are_emergencies(ask, text):
    """Concepts the fifth blind set showed missing: a person (not a thing) said to be blue, foam at the
    mouth, the whole bottle, too drowsy to keep the eyes open."""
    assert ask(text).emergency, text


@pytest.mark.parametrize("text", [
    "sleeping under the bridge again tonight, where can i get a warmer sleeping bag",
    "mi jefe no me responde los mensajes desde el lunes",
    "i get dark thoughts sometimes but i'd never do anything, i just want someone to talk to",
])
def test_places_replies_and_no_intent_are_not_emergencies(ask, text):
    assert not ask(text).emergency, text


@pytest.mark.parametrize("text", [
    # breathing absent, slow or noisy
    "y a pu de respiration", "il fait des bruits bizarres en respirant", "esta gorgoteando",
    "casi ni respira", "hace ruidos raros al respirar",
    # can't wake, too drowsy to keep the eyes open
    "chu pas capable de le reveiller", "il est pu capable de garder les yeux ouverts",
    "no hay forma de despertarlo", "no puede mantener los ojos abiertos",
    # limp, collapsed, no pulse
    "il est devenu tout mou après sa dose", "il est tombé dans les pommes", "il a perdu conscience",
    "se quedo todo guango despues de la chiva", "perdio el conocimiento", "se desplomo en el baño",
    "je trouve pas son pouls", "no tiene pulso",
    # a seizure, chest pain on uppers, hot or cold and confused
    "le dio un ataque y tiembla todo", "j'ai une douleur thoracique après la coke",
    "ça serre dans la poitrine depuis le speed", "me duele mucho el pecho despues del perico",
    "il est frette pis tout mêlé", "esta helado y desorientado",
    # naloxone given and no change, or going back down
    "le narcan a pas marché", "on lui a donné du narcan mais aucun effet",
    "il s'est réveillé avec le narcan mais il pique du nez encore",
    # pills by the handful, intent with means, self-harm bleeding, foam, a person turning blue
    "j'ai pris une poignée de medocs", "j'ai avalé toute la boite de tylenol", "me tome un punado de pastillas",
    "j'ai envie de crever", "jvais me jeter en bas du pont", "me voy a tirar del puente esta noche",
    "ya no quiero despertar", "je veux pu me reveiller",
    "je me scarifie et ça saigne en masse", "me estoy cortando otra vez", "estoy sangrando demasiado",
    "il a de la mousse qui sort de la bouche", "il bleuit", "se esta poniendo todo morado",
])
def test_concepts_written_for_english_are_emergencies_in_french_and_spanish(ask, text):
    """Parity audit: each concept of the English rules said the ways French and Spanish texters say it."""
    assert ask(text).emergency, text


@pytest.mark.parametrize("text", [
    "j'ai pas de respiration le matin c'est le rhume",
    "mon chat est tout mou quand il dort",
    "le gouvernement s'est effondré",
    "il fait super chaud aujourd'hui, je suis tout mêlé dans mes horaires",
    "il est tombé par terre au hockey, il va bien",
    "le ciel bleuit le soir",
    "il me répond pu depuis hier",
    "le dio un ataque de risa",
    "me voy a tirar a dormir",
    "mi hijo esta bien flojo, no quiere hacer la tarea",
    "la cerveza echa espuma",
    "se le paro el corazon de la emocion cuando lo vio",
    "a mi jefe le esta dando un infarto con tantos pedidos",
])
def test_the_same_words_in_everyday_french_and_spanish_are_not_emergencies(ask, text):
    """The parity patterns are narrowed where the words have an everyday meaning too."""
    assert not ask(text).emergency, text


@pytest.mark.parametrize("text,topic", [
    ("my roommate swallowed a whole bunch of his seroquel and wont stop crying", "overdose mental-health-crisis"),
    ("my brother is high and keeps trying to run into traffic", "mental-health-crisis"),
    ("jme sens partir, jai fumé du down tout seul dans mon char", "overdose"),
    ("she drank all night, now she's passed out on the lawn, puked and ice cold", "alcohol-poisoning"),
])
def test_concepts_found_in_set_f_choose_the_right_emergency(ask, text, topic):
    """Medicines by the handful whatever their name, danger from what someone does, feeling oneself
    go; and "ice cold" is not ice (meth). Where two replies both fit, either is right."""
    reply = ask(text)
    assert reply.emergency and reply.topic in topic.split(), (text, reply.topic)


@pytest.mark.parametrize("text", [
    "me sangra la nariz cuando jalo mucho, es normal?",
    "hypothétiquement si quelqu'un fait une crise sur la molly, on fait quoi",
    "je file pas depuis des semaines mais je vais pas me faire de mal, promis",
])
def test_nosebleeds_hypotheticals_and_no_intent_are_not_emergencies(ask, text):
    assert not ask(text).emergency, text


@pytest.mark.parametrize("text,about", [
    ("3 narcans in, hes breathing now but still wont wake up. pretty sure theres tranq in it", "xylazine"),
    ("think its carfent, 2 kits used nothing working hes still blue", "nitazenes"),
    ("bro drank and did G now hes puking while passed out on his back", "ghb"),
    ("took 2 xans n drank a mickey now my buddy wont respond, breathing every 10 sec", "benzos"),
    ("my mom is having a seizure on the kitchen floor, she drank for 2 weeks straight n quit yesterday", "withdrawal"),
    ("je lui ai donné le narcan il respire un peu mais il se reveille tjrs pas, c'était coupé au tranq", "xylazine"),
])
def test_an_emergency_naming_a_topic_gives_the_steps_then_that_topic(talk, engine, text, about):
    """emergency.toml [named]: the steps are the kind's (naloxone whenever opioids may be in it); what
    follows them (MORE) is the named topic's answer, and the reply is shown (to staff, in the report)
    as that topic."""
    reply = talk(text)
    assert reply.emergency and reply.topic == about, (text, reply.topic)
    if about != "withdrawal":
        assert "naloxon" in reply.text.lower(), reply.text
    answer = engine.content.topics[about].text(reply.lang)[0].answer.split("{")[0][:40]
    pages = [reply.text]
    while answer not in pages[-1] and len(pages) < 4:
        pages.append(talk("more").text)
    assert answer in pages[-1], (text, answer, pages)


@pytest.mark.parametrize("text", [
    "found a guy sleeping outside hes super cold and confused and talking nonsense, its -30",
    "y a un monsieur dehors qui dort il est gelé et confus il fait -30",
    "hay un señor durmiendo afuera esta helado y confundido hace -30",
])
def test_someone_very_cold_is_kept_warm_never_cooled(ask, text):
    """Hypothermia: the steps that say keep them warm and no cold shower, then the cold-weather
    topic; never the overamp reply's "cool them down"."""
    reply = ask(text)
    assert reply.emergency and reply.topic == "cold-weather", (text, reply.topic)
    lowered = reply.text.lower()
    assert "cool" not in lowered and "refroidi" not in lowered and "enfri" not in lowered
    assert any(w in lowered for w in ("warm", "chaud", "abrigad")), reply.text


def test_spanish_pasarse_is_an_overdose(ask):
    """"Se pasó con la fenta" is everyday Spanish for an overdose: an emergency when it is happening,
    the overdose topic when asked about."""
    assert ask("mi compa se paso con la fenta y no despierta").emergency
    asked = ask("cuales son las senales de q alguien se esta pasando con la fenta? pa saber nomas")
    assert not asked.emergency and asked.topic == "overdose"
    assert not ask("me pase de copas anoche jaja").emergency


def test_patterns_filed_by_their_first_letters_find_what_a_plain_search_finds(engine):
    """The long `now` list is searched only where a pattern's first two letters appear (for speed):
    on every known emergency and non-emergency, in every reading, that must find exactly what
    searching every pattern finds. A difference would be a missed emergency."""
    import re

    from bot.engine.emergency import _Separately
    from bot.messages import Message
    detector = engine.emergency
    assert isinstance(detector.now, _Separately)
    texts = [t for lang in engine.content.emergencies.values() for _, t in lang]
    texts += [t for lang in engine.content.not_emergencies.values() for t in lang]
    assert len(texts) > 500
    for text in texts:
        reading = engine.read(Message(text))
        for variant in (" ".join(reading.expanded), " ".join(reading.corrected)):
            plain = any(p.search(variant) for p in detector.now.patterns)
            assert detector.now.search_any([variant]) == plain, text
    assert all(isinstance(p, re.Pattern) for p in detector.now.patterns)


@pytest.mark.parametrize("text", [
    "my friend od'd yesterday but hes fine now, does he still need to see a doctor",
    "mi amigo se paso anoche pero ya esta bien, ya comio y todo, igual lo llevo al doctor?",
])
def test_an_overdose_that_happened_asked_about_afterwards_is_the_overdose_topic(ask, text):
    """emergency.toml `overdose_event`: over now, so no alarm; what to do afterwards is the overdose topic."""
    reply = ask(text)
    assert not reply.emergency and reply.topic == "overdose", (text, reply.topic)


@pytest.mark.parametrize("text", ["tansi", "sat sri akal ji", "Salam alaykoum", "xopa", "Mba'éichapa"])
def test_hello_as_edmontons_communities_say_it(ask, text):
    assert ask(text).topic == "greeting", text


# Concepts read off the blind sets G to L after each was scored once (content/emergency.toml), as
# (message, emergency?, the reply's topic when it matters, language when it must be given).
CONCEPTS_FROM_SETS_G_TO_L = [
    # G: real words kept as typed ("confusing" is not "convulsing"); a laughing face is a joke; "yr",
    # "nite"; someone in general; repeated events; French "jreste"; "y a 2 ans"; telling apart
    ("how do i renew my work permit, website is confusing", False, None, None),
    ("dying of laughter at my cousin rn 😂😂😂", False, None, None),
    ("last yr i od'd and my friend saved me w narcan, where do i get a new kit", False, None, None),
    ("someone put smth in my drink last nite, i dont remember much, what now", False, None, None),
    ("how long after someone stops breathing do you have to give narcan", False, None, None),
    ("my friend keeps overdosing and i dont know what to do anymore", False, None, None),
    ("la police peut tu fouiller mes poches si jreste avec quelqu'un qui fait une overdose", False, None, None),
    ("jai fait une OD y a 2 ans, ca expire quand le kit narcan?", False, None, None),
    ("comment on fait la diff entre qqn qui cogne des clous pis qqn qui fait une od", False, None, None),
    ("me muero de risa con mi primo jajaja", False, None, None),
    # G: what someone does now is not a habit; jumping in any person; eyes that won't open; fear of
    # the police does not calm a danger sign
    ("hes burning up n not making any sense keeps ripping his shirt off, he was on molly", True, None, None),
    ("el pata esta en la azotea diciendo q se va a tirar, yo estoy al lado", True, None, None),
    ("fume fenta y me estoy quedando dormido no puedo abrir bn los ojos estoy solo", True, None, None),
    ("she's barely breathing but if i call 911 the cops will come, i have a warrant", True, None, None),
    # G: caught by the rules, not left to the learned model (which moves whenever editors add lines):
    # going back down in any tense, "prendre" beside "pris", cold clammy skin, an arm gone numb
    ("le narcan la ramenée ya une demi-heure mais la elle recommence a piquer du nez pis ses lèvres blanchissent", True, None, None),
    ("jviens de prendre toutes les pilules dans le pot, jveux pu etre icitte", True, None, None),
    ("mi amiga esta tan borracha q no se levanta, ya vomito, tiene la piel fria y pegajosa", True, None, None),
    ("heart doing something crazy and my left arm is numb after 3 points of crystal, im home alone", True, None, None),
    ("no se para que sirve la naloxona", False, None, "es"),
    # H: a news story, a past season, "l'an passé" as one word, "what are", what naloxone can do
    ("saw on the news a bunch of people died of overdoses downtown this week, whats going around", False, None, None),
    ("vi en las noticias q se murieron varias personas por sobredosis, q esta pasando con la droga", False, None, None),
    ("j'ai vu aux nouvelles que plein de monde sont morts de surdose cette semaine", False, None, None),
    ("lan passé jai fait une od pis depuis jai peur de consommer tout seul", False, None, None),
    ("jai pensé au suicide l'hiver passé mais ça va mieux astheure", False, None, None),
    ("q son los nitazenos? oi q el narcan no sirve con eso", False, None, None),
    ("est-ce que le narcan peut faire du mal si finalement la personne faisait pas d'overdose", False, None, None),
    # I: burning hot; barely able to stand; something put "in it"; going back down again and again
    ("hes been up on jib for 4 days no sleep now hes seeing things screaming and hes burning hot", True, None, None),
    ("girl at the club says she only had 2 drinks but she can barely stand up or talk, "
     "i think someone put something in it", True, None, None),
    ("my bf keeps going back down every 15 min weve used all the narcan from the kit", True, None, None),
    # I: "even" in "how do you even tell", training courses, "hot to touch" is a wound, a bike chain
    ("blue lips from the cold or from dope, how do u even tell", False, None, None),
    ("estoy haciendo un curso de primeros auxilios, como se pone a alguien de lado si se desmaya", False, None, None),
    ("on fait une formation naloxone au travail. combien de temps on attend entre deux doses si la personne "
     "se réveille pas?", False, None, None),
    ("theres a hard red lump where i shot and its hot to touch", False, None, None),
    ("how do i fix my bike chain it keeps falling off", False, None, None),
    # J: just used and going under; dropping back out; wanting to stop using; "the amount I used to"
    ("12 months clean and i just used the same amount i used to and i feel really wrong, cant feel my hands, so sleepy", True, None, None),
    ("3 narcans in and he keeps dropping back out, guy who sold it said it was that nitazene shit", True, None, None),
    ("ya no quiero seguir usando, como entro a un detox? llevo 10 años", False, None, None),
    ("i used to od a lot when i was younger, how do i stay safe now", False, None, None),
    # K: pills gathered for tonight are the crisis reply; jokes with an adverb; "del sábado"; "chest pains"
    ("ya tengo las pastillas juntadas y esta noche me las tomo todas", True, "mental-health-crisis", None),
    ("ce partiel de stats va littéralement me tuer", False, None, None),
    ("this exam is gonna literally kill me", False, None, None),
    ("creo que me echaron algo en el trago en la fiesta del sabado, no me acuerdo de nada", False, None, None),
    ("my chest pains are crazy rn after the coke, heart pounding", True, None, None),
    # L: breathing "bien poquito", naloxone that "nomas no", pills counted out for tonight; "someones",
    # "every night", "cursillo" as framing. ("If they're passed out" stays an alarm: said in a hurry it
    # is often happening now.)
    ("ya le pusimos 3 narcan y nomas no, sigue respirando bien poquito plebes ayuda", True, None, None),
    ("i have all the pills counted out on the table. im doing it tonight. i just wanted someone to know", True,
     "mental-health-crisis", None),
    ("if someones lips are blue but theyre still kinda breathing do you still give narcan", False, None, None),
    ("my roommate snores super loud every night after he uses, is that an od thing or normal", False, None, None),
    ("como se pone a una persona de lao cuando se desmaya? lo vi en un cursillo pero se me ha olvidao", False, None, None),
]


@pytest.mark.parametrize("text,emergency,topic,lang", CONCEPTS_FROM_SETS_G_TO_L)
def test_concepts_found_in_sets_g_to_l(ask, text, emergency, topic, lang):
    reply = ask(text, lang=lang)
    assert reply.emergency is emergency, text
    if topic:
        assert reply.topic == topic, (text, reply.topic)
