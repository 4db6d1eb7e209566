"""Everyday English words that must never be fuzz-matched into a product, company or project name.

"spare" is one typo from "Spark" and "string" from "Spring"; a name token that is also an everyday
word ("bridge", "latency") is too weak to identify an item on its own. The list is generic English
plus common tech/business vocabulary, nothing resume-specific.
"""

from __future__ import annotations

from tools.text import words

COMMON_WORDS: frozenset[str] = words(
    """
    about above across act action active actually add added after again against age ago agree ahead
    all allow almost alone along already also although always among amount analysis analytics and
    another answer any anyone anything anywhere app application applications apply approach area
    around ask associate available availability average away back bad base based basic because become
    been before began begin behind being believe below best better between big bit black blue board
    body book both box bring brought build building built business but buy call called calls came can
    cannot car care carry case cases center central certain certified chance change check child
    choose city class clear close cloud code cold come common community company complete computer
    consider contact contain continue control cool core cost could country couple course cover create
    created current cut data day days deal decide deep design detail details develop developed
    development did different direct do does doing done door down draw drive during each early easy
    edge effect either else end engine engineer engineering enough enter entire even event ever every
    example expect experience explain eye face fact fall family far fast feature features feel few
    field figure file final find fine finish fire first fit five floor follow food for force form
    forward found four free friend from front full fun function future game gave general get give
    given glad go goes going gone good got great green ground group grow had half hand happen happy
    hard has have head hear heard help her here high him his history hold home hope hot hour house how
    however human idea if important in include including increase indeed information inside instead
    interest into issue it its itself job join just keep kept kind knew know known lab labs land language
    large last late later lead learn least leave left less let level library life light like likely
    line list little live local long look lose lost lot love low machine made main major make man
    manage many market matter may maybe mean measure meet member mention might mind minute miss model
    modern moment money monitor month more morning most mother move much music must name national near
    need network never new news next nice night no none normal not note nothing now number of off offer
    office often old on once one only open operation order other our out over own page paper part
    particular party pass past pay people per perhaps period person pick picture piece place plan
    platform play please point policy popular position possible power present pretty price private
    prize probably problem process produce product professional program project projects provide
    public pull purpose push put quality question quick quickly quite rate rather reach read ready real
    really reason receive recent record red reduce release remain remember report research rest result
    return right rise road role room round rule run safe said same save saw say school score season
    second see seem seen self sell send sense series serve service services set seven several shall
    share short should show side simple since single site six size small so social software some
    someone something sometimes soon sort sound source space speak speaker special stage stand start
    state station stay step still stop store story street string strong study stuff such support sure
    system systems table take talk team tell ten term test than thank that the their them then there
    these they thing things think third this those though thought three through time today together
    told too took tool tools top total toward town track trade tree true try turn two type under
    understand unit until up upon us use used user users using usual value various very view voice
    wait walk wall want war watch water way we week well went were west what when where whether which
    while white who whole why will win wind window with within without woman word words work worked
    working world would write year years yes yet you young your
    realtime latency bridge cluster stack server client backend frontend mobile web api apis service
    framework frameworks solution solutions demand forecast predictor telecom telecommunications prediction
    feature
    monitor monitoring quality rewrite ingestion pipeline pipelines platform infrastructure
    lightweight neural telephony communications communication hack hackathon data
    administrator architect engine engines store stores tracker tracking dashboard portal assistant
    bot chatbot agent agents detector detection library libraries toolkit kit sdk cli plugin module
    internal external global digital smart fleet health care payments payment bank finance learning
    machine intelligence vision speech audio video media stream streaming graph search index map maps
    router routing dispatch inventory order orders shop commerce marketplace
    analytics insights labs lab technologies technology systems solutions group inc ltd llc corp gmbh
    sa company consulting consultant independent freelance university college institute school
    academy  universidad universite universitat de del la el of and for the
    """
)
