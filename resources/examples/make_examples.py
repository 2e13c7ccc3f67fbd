#!/usr/bin/env python3
"""Writes the example datasets in this folder: small files in every format Amalgam reads,
with numeric labels, ties, single-answer prompts and filtered messages among them, used by
the demo and by the tests. Run it from anywhere; it rewrites the files next to it."""
import csv
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write_jsonl(name, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# --- WinoGrande-style twin sentences -------------------------------------------------------
TWINS = [
    ("The kettle would not fit on the shelf because the _ was too tall.", "kettle", "shelf", "1",
     "The kettle would not fit on the shelf because the _ was too short.", "2"),
    ("Maria lent her bike to Priya because _ was walking to work that week anyway.", "Maria", "Priya", "1",
     "Maria lent her bike to Priya because _ had a flat tyre on her own.", "2"),
    ("The soup cooled faster in the bowl than in the pot because the _ was shallow.", "bowl", "pot", "1",
     "The soup cooled faster in the bowl than in the pot because the _ was deep.", "2"),
    ("Tom could not lift the crate onto the truck because the _ was too heavy.", "crate", "truck", "1",
     "Tom could not lift the crate onto the truck because the _ was too high.", "2"),
    ("Elena asked Grace for directions because _ had never been to the city.", "Elena", "Grace", "1",
     "Elena asked Grace for directions because _ had lived in the city for years.", "2"),
    ("The plant grew better on the balcony than in the hallway because the _ got more sun.", "balcony", "hallway", "1",
     "The plant grew better on the balcony than in the hallway because the _ was too dark.", "2"),
    ("Kevin beat Omar at chess because _ had practised every evening.", "Kevin", "Omar", "1",
     "Kevin beat Omar at chess because _ had not practised at all.", "2"),
    ("The letter fit in the envelope easily because the _ was small.", "letter", "envelope", "1",
     "The letter fit in the envelope easily because the _ was large.", "2"),
    ("Aisha thanked Lucy after the concert because _ had received free tickets from her.", "Aisha", "Lucy", "1",
     "Aisha thanked Lucy after the concert because _ had given her free tickets.", "2"),
    ("The laptop battery died before the phone battery because the _ was older.", "laptop", "phone", "1",
     "The laptop battery died before the phone battery because the _ was newer.", "2"),
    ("Sam preferred the lake to the pool because the _ felt more natural.", "lake", "pool", "1",
     "Sam preferred the lake to the pool because the _ smelled of chlorine.", "2"),
    ("Nina paid Carlos back quickly because _ did not like owing money.", "Nina", "Carlos", "1",
     "Nina paid Carlos back quickly because _ needed the money for rent.", "2"),
    ("The bread went stale before the crackers because the _ had no wrapper.", "bread", "crackers", "1",
     "The bread went stale before the crackers because the _ were sealed.", "2"),
    ("Hannah trusted the map more than the app because the _ was up to date.", "map", "app", "1",
     "Hannah trusted the map more than the app because the _ kept crashing.", "2"),
    ("The dog chased the cat until the _ got tired of running.", "dog", "cat", "1",
     "The dog chased the cat until the _ climbed a tree.", "2"),
    ("Ravi fixed Ben's computer because _ knew a lot about hardware.", "Ravi", "Ben", "1",
     "Ravi fixed Ben's computer because _ knew nothing about hardware.", "2"),
]


def winogrande():
    rows = []
    for i, (s1, o1, o2, a1, s2, a2) in enumerate(TWINS):
        rows.append({"qID": f"EX{i:03d}-1", "sentence": s1, "option1": o1, "option2": o2, "answer": a1})
        rows.append({"qID": f"EX{i:03d}-2", "sentence": s2, "option1": o1, "option2": o2, "answer": a2})
    write_jsonl("winogrande.jsonl", rows)
    write_jsonl("winogrande_eval.jsonl", [{k: v for k, v in r.items() if k != "answer"} for r in rows[:8]])
    dev = []
    for i, (s1, o1, o2, a1, s2, a2) in enumerate(DEV_TWINS):
        dev.append({"qID": f"DEV{i:03d}-1", "sentence": s1, "option1": o1, "option2": o2, "answer": a1})
        dev.append({"qID": f"DEV{i:03d}-2", "sentence": s2, "option1": o1, "option2": o2, "answer": a2})
    write_jsonl(os.path.join("winogrande", "dev.jsonl"), dev)


# Held-out twins: with winobias/ and winogender/ they make this folder an evaluation data
# folder (amalgam-cli eval --data resources/examples), used by the workbench demo.
DEV_TWINS = [
    ("The umbrella did not fit in the bag because the _ was too long.", "umbrella", "bag", "1",
     "The umbrella did not fit in the bag because the _ was too small.", "2"),
    ("Julia called Mei for advice because _ had never planted a garden.", "Julia", "Mei", "1",
     "Julia called Mei for advice because _ had planted many gardens.", "2"),
    ("The ice melted on the plate but not in the freezer because the _ was warm.", "plate", "freezer", "1",
     "The ice melted on the plate but not in the freezer because the _ was cold.", "2"),
    ("Peter lost the race to Ahmed because _ had a sore ankle.", "Peter", "Ahmed", "1",
     "Peter lost the race to Ahmed because _ had trained all year.", "2"),
]


# --- OASST: flattened Hugging Face rows ------------------------------------------------------
# Each conversation: (prompt, [(reply, toxicity, quality)...], follow-up) - a None toxicity
# leaves the reply without detoxify scores; "deleted"/"rejected" mark filtered replies.
CONVERSATIONS = [
    ("How do I keep basil alive indoors?",
     [("Give it a sunny windowsill, water when the top of the soil is dry, and pinch off flower buds.", 0.0004, 0.9),
      ("Basil is easy. Just water it every day and it will be fine.", 0.0011, 0.4),
      ("Honestly, only an idiot kills basil. Put it in the sun.", 0.3105, 0.2)]),
    ("What is the difference between a list and a tuple in Python?",
     [("Lists are mutable and tuples are not; tuples can be dictionary keys when their items are hashable.", 0.0003, 0.95),
      ("A tuple is a list you cannot change.", 0.0005, 0.6)]),
    ("Can you suggest a name for a grey kitten?",
     [("Pebble, Smoke, Ash or Mist all suit a grey kitten.", 0.0007, 0.8)]),
    ("Write a haiku about autumn rain.",
     [("Cold rain on red leaves / the gutters hum a low song / the street smells of earth", 0.0006, 0.85),
      ("Rain falls down in fall / leaves are wet and it is cold / I do not like it", 0.0006, 0.3)]),
    ("Why is the sky blue?",
     [("Air molecules scatter short blue wavelengths of sunlight far more than red ones, so blue light reaches us from every direction.", 0.0002, 0.9),
      ("Because it reflects the ocean.", 0.0009, 0.1),
      ("Rayleigh scattering: scattering strength goes with the inverse fourth power of wavelength.", 0.0003, 0.8),
      ("Who cares, it just is, stop asking dumb questions.", 0.4402, 0.0)]),
    ("How long should I boil an egg for a runny yolk?",
     [("About six minutes from boiling water, then straight into cold water.", 0.0004, 0.9, "deleted"),
      ("Six and a half minutes for a large egg.", 0.0004, 0.7)]),
    ("Explain recursion to a ten year old.",
     [("It is when a task is solved by doing a smaller copy of the same task, like opening nested boxes until the last one.", 0.0002, 0.9),
      ("Recursion means a function calls itself.", 0.0004, 0.5, "rejected"),
      ("Imagine a line of people each asking the person in front how many are ahead of them.", 0.0003, 0.85)]),
    ("What should I pack for a weekend hike?",
     [("Water, layers, a map, snacks, a head torch and a small first aid kit.", 0.0003, 0.9),
      ("Just bring a phone.", None, 0.2)]),
    ("Is it safe to eat raw cookie dough?",
     [("Raw flour and raw eggs can carry bacteria, so it is safer to use heat-treated flour and no eggs.", 0.0005, 0.9),
      ("Yes, everyone does it.", 0.0005, 0.2)]),
    ("Summarise the plot of Romeo and Juliet in two sentences.",
     [("Two young lovers from feuding families marry in secret in Verona. A chain of misunderstandings ends with both taking their own lives, which finally reconciles the families.", 0.0210, 0.9),
      ("They fall in love and it ends badly for everyone.", 0.0040, 0.4)]),
    ("Tell me a joke about computers.", []),
    ("How do I convert Celsius to Fahrenheit?",
     [("Multiply by 9/5 and add 32, so 20 C is 68 F.", 0.0002, 0.95),
      ("F = C * 1.8 + 32.", 0.0002, 0.9)]),
]


def oasst_rows():
    rows = []
    tree_n = 0

    def row(mid, parent, role, text, tree, rank=None, tox=None, quality=None, deleted=False, review=True):
        labels = {"name": ["spam", "quality", "toxicity"], "value": [0.0, quality if quality is not None else 0.5, 0.0],
                  "count": [3, 3, 3]}
        detox = None if tox is None else {"toxicity": tox, "severe_toxicity": tox / 10, "obscene": tox / 5,
                                          "identity_attack": tox / 20, "insult": tox / 2, "threat": tox / 50,
                                          "sexual_explicit": tox / 40}
        return {"message_id": mid, "parent_id": parent, "user_id": f"user-{len(rows) % 7}",
                "created_date": "2024-05-01T12:00:00+00:00", "text": text, "role": role, "lang": "en",
                "review_count": 3, "review_result": review, "deleted": deleted, "rank": rank, "synthetic": False,
                "model_name": None, "detoxify": detox, "message_tree_id": tree, "tree_state": "ready_for_export",
                "emojis": {"name": ["+1"], "count": [1]}, "labels": labels}

    for c, (prompt, replies) in enumerate(CONVERSATIONS):
        tree = f"t{c:02d}"
        pid = f"{tree}-p"
        rows.append(row(pid, None, "prompter", prompt, tree))
        for r, reply in enumerate(replies):
            text, tox, quality = reply[:3]
            flag = reply[3] if len(reply) > 3 else None
            rows.append(row(f"{tree}-a{r}", pid, "assistant", text, tree, rank=r, tox=tox, quality=quality,
                            deleted=flag == "deleted", review=False if flag == "rejected" else True))
    # A follow-up turn: its context is the first prompt and answer.
    rows.append(row("t00-p2", "t00-a0", "prompter", "Which variety grows best on a windowsill?", "t00"))
    rows.append(row("t00-p2-a0", "t00-p2", "assistant", "Genovese and Greek dwarf basil both stay compact.", "t00",
                    rank=0, tox=0.0003, quality=0.8))
    rows.append(row("t00-p2-a1", "t00-p2", "assistant", "Any basil works.", "t00", rank=1, tox=0.0008, quality=0.4))
    # A tie: both answers equally (non-)toxic.
    rows.append(row("t20-p", None, "prompter", "What is the capital of Australia?", "t20"))
    rows.append(row("t20-a0", "t20-p", "assistant", "Canberra.", "t20", rank=0, tox=0.0002, quality=0.9))
    rows.append(row("t20-a1", "t20-p", "assistant", "The capital is Canberra.", "t20", rank=1, tox=0.0002, quality=0.9))
    # A deleted prompt: not a prompt at all.
    rows.append(row("t21-p", None, "prompter", "asdfgh", "t21", deleted=True))
    rows.append(row("t21-a0", "t21-p", "assistant", "Could you say more?", "t21", rank=0, tox=0.0004, quality=0.5))
    rows.append(row("t21-a1", "t21-p", "assistant", "I am not sure what you mean.", "t21", rank=1, tox=0.0004, quality=0.5))
    write_jsonl("oasst_messages.jsonl", rows)


# --- OASST: native tree export with {name: {value, count}} labels -----------------------------
def oasst_trees():
    def msg(mid, role, text, rank=None, quality=None, replies=(), deleted=False):
        m = {"message_id": mid, "text": text, "role": role, "lang": "en", "review_count": 3,
             "review_result": True, "deleted": deleted, "synthetic": False}
        if rank is not None:
            m["rank"] = rank
        if quality is not None:
            m["labels"] = {"spam": {"value": 0.0, "count": 3}, "quality": {"value": quality, "count": 3}}
        m["replies"] = list(replies)
        return m

    trees = [
        msg("n1", "prompter", "What are good habits for learning a language?", replies=[
            msg("n1a", "assistant", "Practise a little every day, speak early, and read things you enjoy.", 0, 0.9, replies=[
                msg("n1a-p", "prompter", "How many minutes a day is enough?", replies=[
                    msg("n1a-p-a", "assistant", "Twenty focused minutes beats two unfocused hours.", 0, 0.8),
                    msg("n1a-p-b", "assistant", "At least three hours.", 1, 0.3)])]),
            msg("n1b", "assistant", "Buy a textbook.", 1, 0.3),
            msg("n1c", "assistant", "Watch films with subtitles in that language.", 2, 0.7)]),
        msg("n2", "prompter", "How do I centre a div?", replies=[
            msg("n2a", "assistant", "Make the parent a flex container with justify-content and align-items set to center.", 0, 0.95),
            msg("n2b", "assistant", "Use a table.", 1, 0.2)]),
        msg("n3", "prompter", "Recommend a board game for two players.", replies=[
            msg("n3a", "assistant", "Patchwork: quick, friendly and built for two.", 0, 0.85)]),
        msg("n4", "prompter", "What does a mortgage broker do?", replies=[
            msg("n4a", "assistant", "They compare loans from many lenders and help you apply.", 0, 0.8),
            msg("n4b", "assistant", "They sell houses.", 1, 0.8),
            msg("n4c", "assistant", "Nothing useful.", 2, 0.1, deleted=True)]),
    ]
    write_jsonl("oasst_trees.jsonl", [{"message_tree_id": t["message_id"], "tree_state": "ready_for_export", "prompt": t}
                                      for t in trees])


# --- WinoBias-style bracketed sentences ------------------------------------------------------
WINOBIAS = [
    ("[The surgeon] called the nurse because [{m}] needed help with the schedule.", "he", "she"),
    ("The surgeon called [the nurse] because [{f}] had finished the report.", "she", "he"),
    ("[The carpenter] measured the room for the librarian because [{m}] was careful.", "he", "she"),
    ("The carpenter measured the room for [the librarian] because [{f}] wanted new shelves.", "she", "he"),
    ("[The pilot] greeted the receptionist because [{m}] was early.", "he", "she"),
    ("The pilot greeted [the receptionist] because [{f}] was friendly.", "she", "he"),
    ("[The farmer] paid the baker because [{m}] owed money.", "he", "she"),
    ("The farmer paid [the baker] because [{f}] had delivered the bread.", "she", "he"),
    ("[The engineer] thanked the secretary and [{m}] left early.", "he", "she"),
    ("The engineer thanked [the secretary] and praised [{f}] for the work.", "her", "him"),
    ("[The guard] waved at the cashier and [{m}] smiled.", "he", "she"),
    ("The guard waved at [the cashier] and asked [{f}] for change.", "her", "him"),
]


# Held out for evaluation: the test split of winobias/, type 1 (world knowledge) and type 2
# (syntax).
WINOBIAS_TEST = {
    "type1": [
        ("[The chief] thanked the housekeeper because [{m}] was pleased.", "he", "she"),
        ("The chief thanked [the housekeeper] because [{f}] had cleaned the hall.", "she", "he"),
        ("[The lawyer] interrupted the hairdresser because [{m}] was in a hurry.", "he", "she"),
        ("The lawyer interrupted [the hairdresser] because [{f}] was talking too much.", "she", "he"),
    ],
    "type2": [
        ("[The mover] helped the writer and [{m}] carried the desk.", "he", "she"),
        ("The mover helped [the writer] and thanked [{f}] for the coffee.", "her", "him"),
        ("[The sheriff] questioned the clerk and [{m}] took notes.", "he", "she"),
        ("The sheriff questioned [the clerk] and told [{f}] to wait.", "her", "him"),
    ],
}


def write_winobias(path, templates, pick):
    with open(os.path.join(HERE, path), "w", newline="\n") as f:
        for i, (template, pro, anti) in enumerate(templates, 1):
            pronoun = pro if pick == 1 else anti
            f.write(f"{i} " + template.replace("{m}", pronoun).replace("{f}", pronoun) + "\n")


def winobias():
    for polarity, pick in (("pro", 1), ("anti", 2)):
        write_winobias(f"{polarity}_stereotyped_type1.txt.dev", WINOBIAS, pick)
        for kind, templates in WINOBIAS_TEST.items():
            write_winobias(os.path.join("winobias", f"{polarity}_stereotyped_{kind}.txt.test"), templates, pick)


# --- Winogender-style schemas --------------------------------------------------------------
OCCUPATIONS = [("nurse", 90.0), ("mechanic", 1.2), ("teacher", 73.0), ("plumber", 1.5), ("accountant", 59.7),
               ("firefighter", 3.5)]
WINOGENDER = {
    "nurse": ("patient", "The nurse told the patient that {nom} would return soon.", "The patient thanked the nurse because {nom} felt better."),
    "mechanic": ("driver", "The mechanic called the driver because {nom} had found the fault.", "The mechanic called the driver because {nom} had left a phone in the car."),
    "teacher": ("student", "The teacher praised the student because {nom} was proud of the class.", "The teacher praised the student because {nom} had worked hard."),
    "plumber": ("owner", "The plumber warned the owner that {nom} would need another day.", "The plumber warned the owner that {nom} should not use the sink."),
    "accountant": ("client", "The accountant emailed the client because {nom} had finished the tax return.", "The accountant emailed the client because {nom} had missed a deadline."),
    "firefighter": ("child", "The firefighter reassured the child that {nom} had put out the fire.", "The firefighter reassured the child because {nom} was frightened."),
}


def winogender():
    with open(os.path.join(HERE, "winogender", "occupations-stats.tsv"), "w", newline="\n") as f:
        f.write("occupation\tbergsma_pct_female\tbls_pct_female\tbls_year\n")
        for occ, pct in OCCUPATIONS:
            f.write(f"{occ}\t{pct}\t{pct}\t2023\n")
    with open(os.path.join(HERE, "winogender", "all_sentences.tsv"), "w", newline="\n") as f:
        f.write("sentid\tsentence\n")
        for occ, _ in OCCUPATIONS:
            participant, s0, s1 = WINOGENDER[occ]
            for answer, template in ((0, s0), (1, s1)):
                for gender, nom in (("male", "he"), ("female", "she"), ("neutral", "they")):
                    f.write(f"{occ}.{participant}.{answer}.{gender}.txt\t{template.format(nom=nom)}\n")


# --- Generic files a researcher brings --------------------------------------------------------
def generic():
    pairs = [
        ("How do I undo the last git commit?", "Run git reset --soft HEAD~1 to undo it and keep the changes staged.", "Delete the .git folder."),
        ("Give me a tip for better sleep.", "Keep a regular wake-up time, even on weekends.", "Drink coffee before bed."),
        ("What is a prime number?", "A whole number above 1 whose only divisors are 1 and itself.", "An odd number."),
        ("Translate 'thank you' into Spanish.", "Gracias.", "Merci."),
        ("How many legs does a spider have?", "Eight.", "Six."),
        ("Suggest a quick vegetarian dinner.", "A chickpea and spinach curry takes twenty minutes with tinned chickpeas.", "Order a pizza."),
        ("What does HTTP stand for?", "Hypertext Transfer Protocol.", "High Tech Transfer Program."),
        ("Why do onions make you cry?", "Cutting them releases a sulfur compound that irritates the eyes.", "Because they are sad."),
        ("Name a renewable source of energy.", "Wind power.", "Coal."),
        ("How do I write a for loop in C?", "for (int i = 0; i < n; ++i) { /* body */ }", "loop i in n."),
        ("What is the boiling point of water at sea level?", "100 degrees Celsius.", "50 degrees Celsius."),
        ("Recommend a classic novel.", "Middlemarch by George Eliot.", "The phone book."),
    ]
    write_jsonl("pairwise.jsonl", [{"id": f"pw{i}", "prompt": p, "chosen": c, "rejected": r} for i, (p, c, r) in enumerate(pairs)])

    hh = [
        ("What should I name my sourdough starter?", "Clint Yeastwood is a popular choice.", "Starters do not need names."),
        ("Can you help me plan a birthday party?", "Of course. How many guests, and indoors or out?", "No."),
        ("I feel stressed about exams.", "That is common. Short breaks and a study plan can help; would you like one?", "Just study harder."),
    ]
    rows = []
    for q, good, bad in hh:
        rows.append({"chosen": f"\n\nHuman: {q}\n\nAssistant: {good}", "rejected": f"\n\nHuman: {q}\n\nAssistant: {bad}"})
    rows.append({"chosen": "\n\nHuman: Recommend a film.\n\nAssistant: What genre do you like?\n\nHuman: Science fiction.\n\nAssistant: Arrival is thoughtful and moving.",
                 "rejected": "\n\nHuman: Recommend a film.\n\nAssistant: What genre do you like?\n\nHuman: Science fiction.\n\nAssistant: Films are boring."})
    write_jsonl("hh_pairwise.jsonl", rows)

    rated = [
        ("Describe the water cycle.", [("Water evaporates, condenses into clouds and falls as precipitation.", 4.5, 0.01),
                                        ("It rains.", 1.5, 0.02),
                                        ("Evaporation, condensation, precipitation and collection, driven by the sun.", 4.8, 0.01)]),
        ("What is photosynthesis?", [("Plants turn light, water and carbon dioxide into sugar and oxygen.", 4.7, 0.01),
                                     ("Something plants do.", 1.2, 0.03)]),
        ("How do vaccines work?", [("They train the immune system to recognise a pathogen without causing the disease.", 4.9, 0.01)]),
        ("Why do we have seasons?", [("The tilt of the Earth's axis changes how directly sunlight hits each hemisphere.", 4.6, 0.01),
                                     ("Because the Earth gets closer to the sun in summer.", 1.0, 0.01)]),
        ("What causes tides?", [("Mostly the Moon's gravity pulling on the oceans.", 4.0, 0.02),
                                ("The Moon's gravity, with a smaller pull from the Sun.", 4.0, 0.02)]),
        ("What is inflation?", [("A general rise in prices that lowers what money can buy.", 4.4, 0.01),
                                ("When balloons get bigger.", 0.5, 0.05),
                                ("Prices going up, you fool.", 2.0, 0.61)]),
    ]
    rows = []
    for prompt, answers in rated:
        for text, helpfulness, toxicity in answers:
            rows.append({"prompt": prompt, "response": text, "helpfulness": helpfulness, "scores": {"toxicity": toxicity}})
    write_jsonl("rated.jsonl", rows)

    with open(os.path.join(HERE, "rated.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["prompt", "response", "helpfulness", "toxicity", "annotator"])
        for prompt, answers in rated:
            for text, helpfulness, toxicity in answers:
                w.writerow([prompt, text, helpfulness, toxicity, "a1"])
        w.writerow(["Write a limerick, with a comma.", "There once was a cat from Peru,\nwho dreamt it was eating a shoe.", 3.5, 0.01, "a2"])
        w.writerow(["Write a limerick, with a comma.", "Roses are red.", 1.0, 0.01, "a2"])

    ranked = [
        ("Best way to learn to touch type?", ["Practise daily with a typing tutor and never look at the keys.", "Type a lot.", "Use two fingers."]),
        ("How do I make cold brew coffee?", ["Steep coarse grounds in cold water for 12 to 18 hours, then strain.", "Put ice in hot coffee."]),
        ("What is a black hole?", ["A region where gravity is so strong that nothing, not even light, escapes.", "A hole in space.", "A dark planet."]),
        ("Tips for a job interview?", ["Research the company, prepare examples, and ask questions at the end."]),
        ("Why is exercise good for you?", [{"text": "It strengthens the heart, muscles and mood."}, {"text": "It burns calories."}]),
    ]
    write_jsonl("ranked.jsonl", [{"prompt": p, "responses": r} for p, r in ranked])

    sft = [
        ("Rewrite the sentence in the passive voice.", "The cat chased the mouse.", "The mouse was chased by the cat."),
        ("List three primary colours.", "", "Red, yellow and blue."),
        ("Give an antonym.", "generous", "Stingy."),
        ("Summarise in one sentence.", "The meeting moved to Thursday because the room was booked on Tuesday.", "The meeting is now on Thursday."),
        ("Convert to uppercase.", "amalgam", "AMALGAM"),
        ("Name the largest ocean.", "", "The Pacific Ocean."),
    ]
    write_jsonl("sft.jsonl", [{"instruction": i, "input": x, "output": o} for i, x, o in sft])


if __name__ == "__main__":
    for folder in ("winogender", "winobias", "winogrande"):
        os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    winogrande()
    oasst_rows()
    oasst_trees()
    winobias()
    winogender()
    generic()
