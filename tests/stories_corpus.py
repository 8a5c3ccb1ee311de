"""Documents written for the story tests (issue 33): one story told as an
exact copy, with a changed lead, retold in other words, and in Italian; an
unrelated article about the same governor in each language. Invented text,
about invented events; no corpus text."""
from __future__ import annotations

import json
from pathlib import Path

PLANT_TITLE = "В Хабаровском крае открылся завод по выпуску металлоконструкций"
PLANT_LEAD = ("Губернатор Хабаровского края Дмитрий Демешин открыл в Комсомольске-на-Амуре новый завод по выпуску "
              "металлоконструкций для мостов и промышленных зданий. Инвестиции в проект составили 2,4 миллиарда "
              "рублей, на предприятии создано 320 рабочих мест.")
PLANT_REST = [
    "Производство расположено на территории опережающего развития «Комсомольск». Резиденты площадки получают "
    "льготы по налогу на прибыль и страховым взносам, что позволило компании сократить срок окупаемости "
    "вложений до семи лет.",
    "На первом этапе завод будет выпускать до сорока тысяч тонн конструкций в год. Сталь поставляет "
    "Амурсталь, а основными заказчиками станут строители Байкало-Амурской магистрали и судостроительный завод.",
    "По словам губернатора, край рассчитывает заместить импортные конструкции, которые раньше завозили из "
    "Китая и Южной Кореи. Региональное правительство поможет предприятию с подготовкой кадров: в местном "
    "техникуме откроют группу сварщиков.",
    "Следующим шагом станет запуск линии антикоррозийной обработки металла. Ее планируется ввести в строй "
    "до конца 2025 года, после чего выпуск продукции вырастет в полтора раза.",
]
OTHER_LEAD = ("Новое производство металлоконструкций заработало в Комсомольске-на-Амуре: на церемонии запуска "
              "побывал глава региона Дмитрий Демешин. Проект стоимостью 2,4 млрд рублей дал городу 320 новых "
              "рабочих мест, сообщает пресс-служба.")
RETOLD = ("В Комсомольске-на-Амуре начал работу завод металлоконструкций, запуск которого посетил глава "
          "Хабаровского края Дмитрий Демешин. Компания вложила в строительство около 2,4 млрд рублей и наняла "
          "более трехсот человек.\n\nПлощадка находится в ТОР «Комсомольск», поэтому инвестор платит меньше "
          "налогов. Мощность первой очереди — сорок тысяч тонн в год; металл закупают у Амурстали, продукцию ждут "
          "строители БАМа и корабелы.\n\nДемешин рассказал, что раньше такие изделия везли из КНР и Кореи. Для "
          "нового цеха подготовят сварщиков в техникуме, а к концу 2025 года там появится участок защиты металла "
          "от коррозии.")
ROADS = ("Губернатор Хабаровского края Дмитрий Демешин провел совещание о ремонте городских дорог после зимы. "
         "В этом году в Хабаровске отремонтируют 46 участков улиц общей протяженностью 38 километров.\n\n"
         "Подрядчиков обязали закончить работы до первого сентября и дать гарантию на покрытие не менее пяти лет. "
         "Глава региона поручил мэрии проверять качество асфальта с участием общественников и публиковать графики "
         "работ на сайте города.\n\nОтдельно обсуждали строительство развязки на улице Карла Маркса, где в часы "
         "пик образуются пробки. Проектирование развязки завершат осенью, а стройка начнется в следующем году.")
PLANT_IT_TITLE = "Nel territorio di Khabarovsk ha aperto una fabbrica di strutture metalliche"
PLANT_IT = ("Il governatore del territorio di Khabarovsk Dmitry Demeshin ha inaugurato a Komsomolsk sull'Amur una "
            "nuova fabbrica che produce strutture metalliche per ponti ed edifici industriali. L'investimento nel "
            "progetto è stato di 2,4 miliardi di rubli e l'impresa ha creato 320 posti di lavoro.\n\n"
            "La produzione si trova nella zona economica speciale avanzata «Komsomolsk». I residenti dell'area "
            "ricevono agevolazioni sull'imposta sugli utili, e così l'azienda ha ridotto a sette anni il ritorno "
            "dell'investimento.\n\nNella prima fase la fabbrica produrrà fino a quarantamila tonnellate di strutture "
            "all'anno. L'acciaio è fornito da Amurstal, e i clienti principali saranno i costruttori della ferrovia "
            "Baikal-Amur e il cantiere navale.\n\nSecondo il governatore, la regione conta di sostituire le strutture "
            "importate che in passato arrivavano dalla Cina e dalla Corea del Sud. Il governo regionale aiuterà "
            "l'impresa a formare il personale: nell'istituto tecnico locale aprirà un corso per saldatori.")
HOSPITAL_IT = ("Il governatore del territorio di Khabarovsk Dmitry Demeshin ha visitato il nuovo reparto di "
               "cardiologia dell'ospedale regionale di Khabarovsk. Nel reparto lavoreranno quaranta medici e "
               "infermieri, e i pazienti potranno essere operati senza andare a Mosca.\n\nDemeshin ha chiesto ai "
               "medici di ridurre le liste d'attesa per le visite e ha promesso nuovi alloggi per i giovani "
               "specialisti che arrivano da altre città. Entro l'estate arriveranno anche due ambulanze attrezzate "
               "per i villaggi del nord.")

DOCS = {
    "plant": ("2024-03-12", "ru", PLANT_TITLE, "\n\n".join([PLANT_LEAD, *PLANT_REST])),
    "plant-copy": ("2024-03-13", "ru", PLANT_TITLE, "\n\n".join([PLANT_LEAD, *PLANT_REST])),
    "plant-new-lead": ("2024-03-13", "ru", "Завод металлоконструкций запущен в Комсомольске-на-Амуре",
                       "\n\n".join([OTHER_LEAD, *PLANT_REST])),
    "plant-retold": ("2024-03-14", "ru", "Демешин открыл завод металлоконструкций", RETOLD),
    "roads": ("2024-03-12", "ru", "Демешин потребовал отремонтировать дороги Хабаровска к сентябрю", ROADS),
    "plant-it": ("2024-03-13", "it", PLANT_IT_TITLE, PLANT_IT),
    "hospital-it": ("2024-03-13", "it", "Demeshin visita il nuovo reparto di cardiologia di Khabarovsk", HOSPITAL_IT),
}


def write_jsonl(path: Path, ids) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for doc_id in ids:
            date, lang, title, text = DOCS[doc_id]
            out.write(json.dumps({"id": doc_id, "date": date, "lang": lang, "title": title, "text": text},
                                 ensure_ascii=False) + "\n")
    return path
