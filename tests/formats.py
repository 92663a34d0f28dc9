"""Small files of every input format, with the quirks real archives have, for the reader tests."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HTML_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Caspian ferry resumes | Harbour Times</title>
<link rel="canonical" href="https://harbour.example/2023/02/ferry">
<meta property="og:site_name" content="Harbour Times">
<meta property="article:published_time" content="2023-02-01T09:30:00+04:00">
<meta property="article:section" content="Transport">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Harbour Times"},
  {"@type": "NewsArticle", "headline": "Caspian ferry line resumes after storm",
   "datePublished": "2023-02-01T10:15:00+04:00", "author": [{"@type": "Person", "name": "Leyla Aliyeva"}],
   "publisher": {"@type": "Organization", "name": "Harbour Times Ltd"}}]}</script>
<script>var ads = "buy now";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li><li>Weather</li></ul></nav>
<div class="ad">Advertisement: cheap flights to everywhere, book today!</div>
<article><h1>Caspian ferry line resumes after storm</h1>
<p>BAKU, February 1 (Harbour Times) - The ferry line between Baku and Turkmenbashi resumed sailings on
Wednesday after a three-day storm kept the vessels in port, the shipping company said.</p>
<p>The first ferry left with forty lorries on board and is expected to arrive in Turkmenbashi on Thursday
morning, according to the port authority of Alat.</p>
<p>Shipping on the Caspian Sea is often halted in winter when winds exceed twenty metres a second.</p>
</article>
<section class="comments"><h3>Comments</h3><p>First! Great article about zanzibarcomment.</p></section>
<footer><p>Copyright Harbour Times. Contact us. Privacy policy. Footertoken.</p></footer>
</body></html>
"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Trend News Agency</title><link>https://trend.example/</link><language>en</language>
<item>
  <title>Azerbaijan opens new wind farm</title>
  <link>https://trend.example/news/1</link>
  <guid isPermaLink="false">trend-4711</guid>
  <pubDate>Wed, 01 Feb 2023 10:15:00 +0400</pubDate>
  <dc:creator>Nigar Abbasova</dc:creator>
  <category>Energy</category><category>Economy</category>
  <description>&lt;p&gt;A &lt;b&gt;new&lt;/b&gt; wind farm near Khizi started producing power.&lt;/p&gt;</description>
  <content:encoded><![CDATA[<p>BAKU, Azerbaijan, February 1. The Khizi-Absheron wind farm started delivering
  power to the grid on Wednesday, the energy ministry said.</p><p>It has <a href="/x">48 turbines</a> and
  a capacity of 240 megawatts.</p><script>alert(1)</script>]]></content:encoded>
</item>
<item>
  <title>Ministry announces new tariffs</title>
  <link>https://trend.example/news/2</link>
  <guid>https://trend.example/news/2</guid>
  <pubDate>Thu, 02 Feb 2023 08:00:00 +0000</pubDate>
  <description>&lt;p&gt;The tariff council approved new electricity tariffs for households on Thursday.&lt;/p&gt;
  &lt;p&gt;They take effect in March.&lt;/p&gt;</description>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Agence Exemple</title><id>urn:uuid:feed</id><updated>2023-02-03T12:00:00+01:00</updated>
  <entry>
    <title>Le port de Marseille reprend son activité</title>
    <id>urn:uuid:atom-1</id>
    <link href="https://exemple.example/port"/>
    <updated>2023-02-03T12:00:00+01:00</updated>
    <author><name>Jeanne Martin</name></author>
    <content type="html">&lt;p&gt;MARSEILLE, 3 février - Le port a repris son activité vendredi.&lt;/p&gt;</content>
  </entry>
</feed>
"""

NITF = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nitf SYSTEM "nitf-3-4.dtd">
<nitf version="-//IPTC//DTD NITF 3.4//EN" xml:lang="en">
<head>
  <title>Grain harvest</title>
  <tobject tobject.type="news"><tobject.subject tobject.subject.refnum="04001000" tobject.subject.type="Economy"
    tobject.subject.matter="Agriculture"/></tobject>
  <docdata>
    <doc-id id-string="APA-2023-0207-001"/>
    <date.issue norm="20230207T141500+0400"/>
    <doc.copyright holder="APA" year="2023"/>
    <key-list><keyword key="wheat"/></key-list>
  </docdata>
  <pubdata type="web" ex-ref="https://apa.example/grain" name="APA"/>
</head>
<body>
  <body.head>
    <hedline><hl1>Record grain harvest expected</hl1><hl1>Duplicate headline</hl1><hl2>Farmers hopeful</hl2>
      <hl2>Exports may rise</hl2></hedline>
    <byline>By <person>Rashad Guliyev</person>, <byttl>APA correspondent</byttl></byline>
    <distributor>APA</distributor>
    <dateline><location><city>Ganja</city><country>Azerbaijan</country></location>,
      <story.date norm="20230207">Feb. 7</story.date></dateline>
  </body.head>
  <body.content>
    <p>Farmers in the Ganja region expect a record wheat harvest this year, the agriculture ministry said.</p>
    <block><p>Rainfall in autumn was twice the average.</p></block>
  </body.content>
  <body.end><tagline>APA</tagline></body.end>
</body>
</nitf>
"""

_G2 = "http://iptc.org/std/nar/2006-10-01/"


def _g2_item(n: int, city: str, headline: str, text: str) -> str:
    return f"""<newsItem guid="urn:newsml:trend.example:2023-02-0{n}:story{n}" version="1" standard="NewsML-G2"
   standardversion="2.29" xml:lang="en">
  <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:TREND"/>
    <versionCreated>2023-02-0{n}T12:00:00+04:00</versionCreated>
    <firstCreated>2023-02-0{n}T11:00:00+04:00</firstCreated></itemMeta>
  <contentMeta>
    <located qcode="geo:{city}"><name>{city}</name>
      <broader type="cptype:country"><name>Azerbaijan</name></broader></located>
    <creditline>Trend</creditline>
    <subject type="cpnat:abstract" qcode="medtop:20000344"><name>transport</name></subject>
    <language tag="en"/>
    <headline>{headline}</headline>
    <by>Staff reporter {n}</by>
  </contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml">
    <html xmlns="http://www.w3.org/1999/xhtml"><head><title>{headline}</title></head>
    <body><p>{text}</p><p>Second paragraph of item {n}.</p></body></html>
  </inlineXML></contentSet>
</newsItem>"""


NEWSML = f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="{_G2}">
  <header><sent>2023-02-03T12:00:00+04:00</sent></header>
  <itemSet>
    <packageItem guid="urn:newsml:trend.example:package1" version="1" standard="NewsML-G2"
      standardversion="2.29"><itemMeta><itemClass qcode="ninat:composite"/>
      <provider qcode="nprov:TREND"/><versionCreated>2023-02-03T12:00:00+04:00</versionCreated></itemMeta>
      <groupSet root="root"><group id="root"><itemRef residref="urn:newsml:trend.example:2023-02-01:story1"/>
      </group></groupSet></packageItem>
    {_g2_item(1, "Sumgait", "Sumgait port handles more cargo", "Cargo through the port of Sumgait grew.")}
    {_g2_item(2, "Lankaran", "Lankaran tea harvest begins", "Tea pickers in Lankaran started early.")}
    {_g2_item(3, "Shaki", "Shaki silk factory reopens", "The old silk factory of Shaki reopened.")}
  </itemSet>
</newsMessage>
"""

REUTERS = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<PLACES><D>el-salvador</D><D>usa</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN>&#5;&#5;&#5;C T
&#22;&#22;&#1;f0704&#31;reute
u f BC-BAHIA-COCOA-REVIEW   02-26 0105</UNKNOWN>
<TEXT>&#2;
<TITLE>BAHIA COCOA REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout the week in
the Bahia cocoa zone, alleviating the drought since early
January &lt;and> improving prospects for the coming temporao.
    The dry period means the temporao will be late this year.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5545" NEWID="2">
<DATE>26-FEB-1987 15:02:20.00</DATE>
<TOPICS></TOPICS>
<PLACES><D>usa</D></PLACES>
<TEXT TYPE="BRIEF">&#2;
<TITLE>STANDARD OIL &lt;SRD> TO FORM FINANCIAL UNIT
</TITLE>
&#3;
</TEXT>
</REUTERS>
<REUTERS TOPICS="YES" LEWISSPLIT="TEST" CGISPLIT="TRAINING-SET" OLDID="5546" NEWID="3">
<DATE>26-FEB-1987 15:03:27.51</DATE>
<TOPICS><D>earn</D><D>acq</D></TOPICS>
<PLACES><D>usa</D></PLACES>
<TEXT>&#2;
<TITLE>TEXAS COMMERCE BANCSHARES &lt;TCB> FILES PLAN</TITLE>
<DATELINE>    HOUSTON, Feb 26 - </DATELINE><BODY>Texas Commerce Bancshares Inc's Texas
Commerce Bank-Houston said it filed an application with the
Comptroller of the Currency in an effort to create the largest
banking network in Harris County.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
"""

CSV = '''id,headline,when,body,topics,dateline.city,ignored
csv-1,Bridge opens in Ganja,2023-03-01T08:00:00+04:00,"The new bridge over the Ganja river opened on Wednesday.

Traffic is expected to ease, officials said, adding ""a great day"".",Transport;Infrastructure,Ganja,x
csv-2,Library reopens,2023-03-02,"The national library reopened after repairs.",,Baku,y
'''

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE {root} [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
{body}
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
{body}
"""

# Where each hostile document puts its entity, per format.
HOSTILE_BODIES = {
    "nitf": ("nitf", "<nitf><body><body.head><hedline><hl1>{ref}</hl1></hedline></body.head>"
                     "<body.content><p>{ref}</p></body.content></body></nitf>"),
    "rss": ("rss", '<rss version="2.0"><channel><title>t</title><item><title>{ref}</title>'
                   "<description>{ref}</description></item></channel></rss>"),
    "newsml": ("newsItem", f'<newsItem xmlns="{_G2}" guid="x"><contentMeta><headline>{{ref}}</headline>'
                           "</contentMeta><contentSet><inlineData>{ref}</inlineData></contentSet></newsItem>"),
}


def hostile(kind: str, attack: str) -> str:
    """A billion-laughs or XXE document of one XML format."""
    root, body = HOSTILE_BODIES[kind]
    template, ref = (BILLION_LAUGHS, "&lol9;") if attack == "laughs" else (XXE, "&xxe;")
    return template.format(root=root, body=body.format(ref=ref))


def warc_bytes(page: str = HTML_PAGE) -> bytes:
    """A gzipped WARC: a warcinfo, one HTML response, one image response."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "tests"}))
    for uri, kind, payload in (("https://harbour.example/2023/02/ferry?utm=feed", "text/html; charset=utf-8",
                                page.replace('<link rel="canonical" href="https://harbour.example/2023/02/ferry">',
                                             "").encode()),
                               ("https://harbour.example/ferry.jpg", "image/jpeg", b"\xff\xd8\xff\xe0JFIF\x00")):
        headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(payload), http_headers=headers,
            warc_headers_dict={"WARC-Date": "2023-02-05T06:07:08Z"}))
    return out.getvalue()


def write_all(folder: Path) -> dict[str, Path]:
    """One file of every format in ``folder``; the paths by format name."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "html": ("ferry.html", HTML_PAGE.encode()),
        "feed": ("trend.rss", RSS.encode()),
        "atom": ("exemple.atom", ATOM.encode()),
        "nitf": ("grain.nitf", NITF.encode()),
        "newsml": ("package.xml", NEWSML.encode()),
        "reuters": ("reut2-000.sgm.gz", gzip.compress(REUTERS.encode("latin-1"))),
        "csv": ("sheet.csv", CSV.encode()),
        "warc": ("crawl.warc.gz", warc_bytes(HTML_PAGE.replace("Turkmenbashi", "Aktau"))),
    }
    paths = {}
    for kind, (name, data) in files.items():
        paths[kind] = folder / name
        paths[kind].write_bytes(data)
    return paths
