<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../detail.py" line="66"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../detail.py" line="67"/>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>AttachmentList</name>
    <message>
        <location filename="../widgets.py" line="269"/>
        <location filename="../widgets.py" line="307"/>
        <source>Drop scanned files (PDF, JPEG, PNG) here</source>
        <translation>Drop scanned files (PDF, JPEG, PNG) here</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="273"/>
        <source>Attach &amp;file…</source>
        <translation>Attach &amp;file…</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="274"/>
        <source>Remove file</source>
        <translation>Remove file</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="328"/>
        <source>PDF document: %1</source>
        <translation>PDF document: %1</translation>
    </message>
</context>
<context>
    <name>BarChart</name>
    <message>
        <location filename="../reportview.py" line="55"/>
        <source>No data</source>
        <translation>No data</translation>
    </message>
</context>
<context>
    <name>CheckedPage</name>
    <message>
        <location filename="../wizard.py" line="82"/>
        <source>Please correct the fields marked in red.</source>
        <translation>Please correct the fields marked in red.</translation>
    </message>
</context>
<context>
    <name>ChecklistTable</name>
    <message>
        <location filename="../widgets.py" line="128"/>
        <source>Rcvd</source>
        <translation>Rcvd</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="128"/>
        <source>Document</source>
        <translation>Document</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="129"/>
        <source>Form</source>
        <translation>Form</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="129"/>
        <source>Count</source>
        <translation>Count</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="140"/>
        <source>Keyboard: ↑/↓ choose a document, Space ticks it, ←/→ change its form, + / − or a digit set the count, F2 edits the name.</source>
        <translation>Keyboard: ↑/↓ choose a document, Space ticks it, ←/→ change its form, + / − or a digit set the count, F2 edits the name.</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="143"/>
        <source>&amp;Add document</source>
        <translation>&amp;Add document</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="144"/>
        <source>Remove document</source>
        <translation>Remove document</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="187"/>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="187"/>
        <source>Certified copy</source>
        <translation>Certified copy</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="188"/>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="188"/>
        <source>Shown (to compare)</source>
        <translation>Shown (to compare)</translation>
    </message>
</context>
<context>
    <name>Common</name>
    <message>
        <location filename="../qtutil.py" line="65"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../qtutil.py" line="149"/>
        <location filename="../qtutil.py" line="200"/>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>DetailPage</name>
    <message>
        <location filename="../detail.py" line="136"/>
        <source>Open a dossier from the search screen (Ctrl+F).</source>
        <translation>Open a dossier from the search screen (Ctrl+F).</translation>
    </message>
    <message>
        <location filename="../detail.py" line="146"/>
        <source>Applicant:</source>
        <translation>Applicant:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="146"/>
        <source>Citizen ID:</source>
        <translation>Citizen ID:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="147"/>
        <source>Date of birth:</source>
        <translation>Date of birth:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="147"/>
        <source>Phone:</source>
        <translation>Phone:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="148"/>
        <source>Address:</source>
        <translation>Address:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="148"/>
        <source>Procedure:</source>
        <translation>Procedure:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="149"/>
        <source>Documents:</source>
        <translation>Documents:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="149"/>
        <source>Fee:</source>
        <translation>Fee:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="150"/>
        <source>Received:</source>
        <translation>Received:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="151"/>
        <source>Appointment:</source>
        <translation>Appointment:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="151"/>
        <source>Clerk:</source>
        <translation>Clerk:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="152"/>
        <source>Scanned files:</source>
        <translation>Scanned files:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="158"/>
        <source>Dossier</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../detail.py" line="162"/>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../detail.py" line="162"/>
        <source>Event</source>
        <translation>Event</translation>
    </message>
    <message>
        <location filename="../detail.py" line="163"/>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../detail.py" line="163"/>
        <source>By</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../detail.py" line="164"/>
        <source>Synced</source>
        <translation>Synced</translation>
    </message>
    <message>
        <location filename="../detail.py" line="168"/>
        <source>Timeline</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <location filename="../detail.py" line="171"/>
        <location filename="../detail.py" line="289"/>
        <source>Signatures not checked yet.</source>
        <translation>Signatures not checked yet.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="173"/>
        <source>&amp;Check signatures</source>
        <translation>&amp;Check signatures</translation>
    </message>
    <message>
        <location filename="../detail.py" line="175"/>
        <source>Signature and sync</source>
        <translation>Signature and sync</translation>
    </message>
    <message>
        <location filename="../detail.py" line="183"/>
        <source>Request &amp;supplement…</source>
        <translation>Request &amp;supplement…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="184"/>
        <source>Supplement recei&amp;ved…</source>
        <translation>Supplement recei&amp;ved…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="185"/>
        <source>&amp;Return result…</source>
        <translation>&amp;Return result…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="186"/>
        <source>&amp;Withdrawal…</source>
        <translation>&amp;Withdrawal…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="187"/>
        <source>Re&amp;print receipt…</source>
        <translation>Re&amp;print receipt…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="188"/>
        <source>Control slip (04)</source>
        <translation>Control slip (04)</translation>
    </message>
    <message>
        <location filename="../detail.py" line="248"/>
        <source>male</source>
        <translation>male</translation>
    </message>
    <message>
        <location filename="../detail.py" line="248"/>
        <source>female</source>
        <translation>female</translation>
    </message>
    <message>
        <location filename="../detail.py" line="257"/>
        <source>original</source>
        <translation>original</translation>
    </message>
    <message>
        <location filename="../detail.py" line="257"/>
        <source>copy</source>
        <translation>copy</translation>
    </message>
    <message>
        <location filename="../detail.py" line="258"/>
        <source>certified copy</source>
        <translation>certified copy</translation>
    </message>
    <message>
        <location filename="../detail.py" line="258"/>
        <source>shown</source>
        <translation>shown</translation>
    </message>
    <message>
        <location filename="../detail.py" line="265"/>
        <source>(first: %1)</source>
        <translation>(first: %1)</translation>
    </message>
    <message>
        <location filename="../detail.py" line="274"/>
        <source>counter</source>
        <translation>counter</translation>
    </message>
    <message>
        <location filename="../detail.py" line="274"/>
        <source>province</source>
        <translation>province</translation>
    </message>
    <message>
        <location filename="../detail.py" line="276"/>
        <source>waiting</source>
        <translation>waiting</translation>
    </message>
    <message>
        <location filename="../detail.py" line="283"/>
        <source>All events sent to the province.</source>
        <translation>All events sent to the province.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="284"/>
        <source>%1 event(s) waiting to be sent to the province.</source>
        <translation>%1 event(s) waiting to be sent to the province.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="287"/>
        <source>This dossier has contradictory events; ask the province to check them.</source>
        <translation>This dossier has contradictory events; ask the province to check them.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="316"/>
        <location filename="../detail.py" line="325"/>
        <location filename="../detail.py" line="330"/>
        <source>Signature mismatch — run &apos;motcua verify&apos;</source>
        <translation>Signature mismatch — run &apos;motcua verify&apos;</translation>
    </message>
    <message>
        <location filename="../detail.py" line="335"/>
        <source>Received at the counter</source>
        <translation>Received at the counter</translation>
    </message>
    <message>
        <location filename="../detail.py" line="335"/>
        <source>Not accepted</source>
        <translation>Not accepted</translation>
    </message>
    <message>
        <location filename="../detail.py" line="336"/>
        <source>Forwarded for processing</source>
        <translation>Forwarded for processing</translation>
    </message>
    <message>
        <location filename="../detail.py" line="336"/>
        <source>Processing</source>
        <translation>Processing</translation>
    </message>
    <message>
        <location filename="../detail.py" line="337"/>
        <source>Supplement requested</source>
        <translation>Supplement requested</translation>
    </message>
    <message>
        <location filename="../detail.py" line="338"/>
        <location filename="../detail.py" line="427"/>
        <source>Supplement received</source>
        <translation>Supplement received</translation>
    </message>
    <message>
        <location filename="../detail.py" line="339"/>
        <source>Fee requested</source>
        <translation>Fee requested</translation>
    </message>
    <message>
        <location filename="../detail.py" line="339"/>
        <source>Fee paid</source>
        <translation>Fee paid</translation>
    </message>
    <message>
        <location filename="../detail.py" line="340"/>
        <source>Withdrawn</source>
        <translation>Withdrawn</translation>
    </message>
    <message>
        <location filename="../detail.py" line="340"/>
        <source>Processing stopped</source>
        <translation>Processing stopped</translation>
    </message>
    <message>
        <location filename="../detail.py" line="341"/>
        <source>Result ready</source>
        <translation>Result ready</translation>
    </message>
    <message>
        <location filename="../detail.py" line="341"/>
        <source>Result returned</source>
        <translation>Result returned</translation>
    </message>
    <message>
        <location filename="../detail.py" line="342"/>
        <source>Submitted online</source>
        <translation>Submitted online</translation>
    </message>
    <message>
        <location filename="../detail.py" line="349"/>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../detail.py" line="311"/>
        <source>✔ Every signature is valid and the data matches.</source>
        <translation>✔ Every signature is valid and the data matches.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="320"/>
        <source>✘ Not valid: </source>
        <translation>✘ Not valid: </translation>
    </message>
    <message>
        <location filename="../detail.py" line="375"/>
        <source>Done: %1 is now «%2».</source>
        <translation>Done: %1 is now «%2».</translation>
    </message>
    <message>
        <location filename="../detail.py" line="386"/>
        <source>one missing document per line</source>
        <translation>one missing document per line</translation>
    </message>
    <message>
        <location filename="../detail.py" line="393"/>
        <source>Request supplement</source>
        <translation>Request supplement</translation>
    </message>
    <message>
        <location filename="../detail.py" line="394"/>
        <source>&amp;Missing documents:</source>
        <translation>&amp;Missing documents:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="395"/>
        <location filename="../detail.py" line="486"/>
        <location filename="../detail.py" line="503"/>
        <source>&amp;Reason:</source>
        <translation>&amp;Reason:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="418"/>
        <source>Slip printed: %1</source>
        <translation>Slip printed: %1</translation>
    </message>
    <message>
        <location filename="../detail.py" line="427"/>
        <source>&amp;Note:</source>
        <translation>&amp;Note:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="434"/>
        <source>The applicant</source>
        <translation>The applicant</translation>
    </message>
    <message>
        <location filename="../detail.py" line="435"/>
        <source>Authorised person</source>
        <translation>Authorised person</translation>
    </message>
    <message>
        <location filename="../detail.py" line="436"/>
        <source>At the counter</source>
        <translation>At the counter</translation>
    </message>
    <message>
        <location filename="../detail.py" line="437"/>
        <source>By post</source>
        <translation>By post</translation>
    </message>
    <message>
        <location filename="../detail.py" line="450"/>
        <source>Scan the recipient&apos;s citizen ID card to fill who takes the result.</source>
        <translation>Scan the recipient&apos;s citizen ID card to fill who takes the result.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="463"/>
        <source>Card scanned: %1, %2.</source>
        <translation>Card scanned: %1, %2.</translation>
    </message>
    <message>
        <location filename="../detail.py" line="469"/>
        <source>Return the result</source>
        <translation>Return the result</translation>
    </message>
    <message>
        <location filename="../detail.py" line="470"/>
        <source>Handed to (&amp;name):</source>
        <translation>Handed to (&amp;name):</translation>
    </message>
    <message>
        <location filename="../detail.py" line="471"/>
        <source>Their citizen &amp;ID:</source>
        <translation>Their citizen &amp;ID:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="472"/>
        <source>&amp;Relation:</source>
        <translation>&amp;Relation:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="473"/>
        <source>&amp;Method:</source>
        <translation>&amp;Method:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="474"/>
        <source>N&amp;ote:</source>
        <translation>N&amp;ote:</translation>
    </message>
    <message>
        <location filename="../detail.py" line="485"/>
        <source>Record withdrawal</source>
        <translation>Record withdrawal</translation>
    </message>
    <message>
        <location filename="../detail.py" line="502"/>
        <source>Reprint the receipt</source>
        <translation>Reprint the receipt</translation>
    </message>
</context>
<context>
    <name>DossierPageModel</name>
    <message>
        <location filename="../search.py" line="73"/>
        <source>Dossier code</source>
        <translation>Dossier code</translation>
    </message>
    <message>
        <location filename="../search.py" line="73"/>
        <source>Applicant</source>
        <translation>Applicant</translation>
    </message>
    <message>
        <location filename="../search.py" line="73"/>
        <source>Citizen ID</source>
        <translation>Citizen ID</translation>
    </message>
    <message>
        <location filename="../search.py" line="74"/>
        <source>Procedure</source>
        <translation>Procedure</translation>
    </message>
    <message>
        <location filename="../search.py" line="74"/>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../search.py" line="74"/>
        <source>Appointment</source>
        <translation>Appointment</translation>
    </message>
    <message>
        <location filename="../search.py" line="75"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../search.py" line="160"/>
        <source>Signature mismatch</source>
        <translation>Signature mismatch</translation>
    </message>
    <message>
        <location filename="../search.py" line="174"/>
        <source>Signature mismatch — run &apos;motcua verify&apos;</source>
        <translation>Signature mismatch — run &apos;motcua verify&apos;</translation>
    </message>
    <message>
        <location filename="../search.py" line="177"/>
        <source>Overdue</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../search.py" line="179"/>
        <source>Due today</source>
        <translation>Due today</translation>
    </message>
</context>
<context>
    <name>HelpPage</name>
    <message>
        <location filename="../helppage.py" line="19"/>
        <source>New dossier (intake screen)</source>
        <translation>New dossier (intake screen)</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="20"/>
        <source>Save and sign the dossier</source>
        <translation>Save and sign the dossier</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="21"/>
        <source>Print the receipt of the last saved dossier</source>
        <translation>Print the receipt of the last saved dossier</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="22"/>
        <source>Save, sign and print</source>
        <translation>Save, sign and print</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="23"/>
        <source>QR scanner</source>
        <translation>QR scanner</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="23"/>
        <source>Scan the citizen ID card anywhere on the intake screen: name, ID, date of birth, gender and address are filled</source>
        <translation>Scan the citizen ID card anywhere on the intake screen: name, ID, date of birth, gender and address are filled</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="26"/>
        <source>In a picker: show the matches / take the first one</source>
        <translation>In a picker: show the matches / take the first one</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="27"/>
        <source>Search dossiers</source>
        <translation>Search dossiers</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="28"/>
        <source>In the results: open the dossier</source>
        <translation>In the results: open the dossier</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="29"/>
        <source>Home, Intake, Search, Dossier, Sync, Reports, Settings</source>
        <translation>Home, Intake, Search, Dossier, Sync, Reports, Settings</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="30"/>
        <source>Unlock the signing key</source>
        <translation>Unlock the signing key</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="31"/>
        <source>Lock the screen</source>
        <translation>Lock the screen</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="32"/>
        <source>underlined letter</source>
        <translation>underlined letter</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="32"/>
        <source>Jump to that field or button</source>
        <translation>Jump to that field or button</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="33"/>
        <source>This help</source>
        <translation>This help</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="34"/>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="37"/>
        <source>Keys</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="37"/>
        <source>What it does</source>
        <translation>What it does</translation>
    </message>
    <message>
        <location filename="../helppage.py" line="46"/>
        <source>Nothing typed is lost: the intake form is saved as a draft while you type and comes back after a restart. Work goes on offline; the status bar shows the link to the province.</source>
        <translation>Nothing typed is lost: the intake form is saved as a draft while you type and comes back after a restart. Work goes on offline; the status bar shows the link to the province.</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../home.py" line="38"/>
        <source>Received today</source>
        <translation>Received today</translation>
    </message>
    <message>
        <location filename="../home.py" line="39"/>
        <source>Due today</source>
        <translation>Due today</translation>
    </message>
    <message>
        <location filename="../home.py" line="40"/>
        <source>Overdue</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../home.py" line="41"/>
        <source>Results to hand over</source>
        <translation>Results to hand over</translation>
    </message>
    <message>
        <location filename="../home.py" line="54"/>
        <source>&amp;New dossier (F2)</source>
        <translation>&amp;New dossier (F2)</translation>
    </message>
    <message>
        <location filename="../home.py" line="55"/>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <location filename="../home.py" line="62"/>
        <source>Today&apos;s work queue</source>
        <translation>Today&apos;s work queue</translation>
    </message>
    <message>
        <location filename="../home.py" line="79"/>
        <source>Hello, %1</source>
        <translation>Hello, %1</translation>
    </message>
</context>
<context>
    <name>IntakePage</name>
    <message>
        <location filename="../intake.py" line="696"/>
        <source>Scan the citizen ID card&apos;s QR code at any time: the fields fill themselves.</source>
        <translation>Scan the citizen ID card&apos;s QR code at any time: the fields fill themselves.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="109"/>
        <source>dd/mm/yyyy</source>
        <translation>dd/mm/yyyy</translation>
    </message>
    <message>
        <location filename="../intake.py" line="111"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../intake.py" line="112"/>
        <source>Male</source>
        <translation>Male</translation>
    </message>
    <message>
        <location filename="../intake.py" line="113"/>
        <source>Female</source>
        <translation>Female</translation>
    </message>
    <message>
        <location filename="../intake.py" line="120"/>
        <source>type to filter, e.g. ho chi minh</source>
        <translation>type to filter, e.g. ho chi minh</translation>
    </message>
    <message>
        <location filename="../intake.py" line="122"/>
        <source>type to filter, e.g. sai gon</source>
        <translation>type to filter, e.g. sai gon</translation>
    </message>
    <message>
        <location filename="../intake.py" line="124"/>
        <source>house number, street, hamlet</source>
        <translation>house number, street, hamlet</translation>
    </message>
    <message>
        <location filename="../intake.py" line="126"/>
        <source>Applicant</source>
        <translation>Applicant</translation>
    </message>
    <message>
        <location filename="../intake.py" line="130"/>
        <source>Full &amp;name:</source>
        <translation>Full &amp;name:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="131"/>
        <source>Citizen &amp;ID:</source>
        <translation>Citizen &amp;ID:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="133"/>
        <source>Date of &amp;birth:</source>
        <translation>Date of &amp;birth:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="135"/>
        <source>&amp;Gender:</source>
        <translation>&amp;Gender:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="136"/>
        <source>P&amp;hone:</source>
        <translation>P&amp;hone:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="137"/>
        <source>E-&amp;mail:</source>
        <translation>E-&amp;mail:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="138"/>
        <source>Pro&amp;vince/city:</source>
        <translation>Pro&amp;vince/city:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="140"/>
        <source>Comm&amp;une/ward:</source>
        <translation>Comm&amp;une/ward:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="142"/>
        <source>A&amp;ddress:</source>
        <translation>A&amp;ddress:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="147"/>
        <source>This citizen&apos;s dossiers</source>
        <translation>This citizen&apos;s dossiers</translation>
    </message>
    <message>
        <location filename="../intake.py" line="150"/>
        <location filename="../intake.py" line="730"/>
        <source>Scan a card or type a citizen ID to see the citizen&apos;s earlier dossiers here.</source>
        <translation>Scan a card or type a citizen ID to see the citizen&apos;s earlier dossiers here.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="164"/>
        <source>code or name without diacritics, e.g. khai sinh</source>
        <translation>code or name without diacritics, e.g. khai sinh</translation>
    </message>
    <message>
        <location filename="../intake.py" line="172"/>
        <source>In person</source>
        <translation>In person</translation>
    </message>
    <message>
        <location filename="../intake.py" line="173"/>
        <location filename="../intake.py" line="188"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../intake.py" line="174"/>
        <location filename="../intake.py" line="187"/>
        <source>By post</source>
        <translation>By post</translation>
    </message>
    <message>
        <location filename="../intake.py" line="187"/>
        <source>At the counter</source>
        <translation>At the counter</translation>
    </message>
    <message>
        <location filename="../intake.py" line="191"/>
        <source>Late entry: received earlier (outage)</source>
        <translation>Late entry: received earlier (outage)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="196"/>
        <source>why it is entered late, e.g. power cut</source>
        <translation>why it is entered late, e.g. power cut</translation>
    </message>
    <message>
        <location filename="../intake.py" line="211"/>
        <source>Dossier</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../intake.py" line="213"/>
        <source>&amp;Procedure:</source>
        <translation>&amp;Procedure:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="217"/>
        <source>&amp;Channel:</source>
        <translation>&amp;Channel:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="218"/>
        <source>Documents &amp;received:</source>
        <translation>Documents &amp;received:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="220"/>
        <source>&amp;Sets:</source>
        <translation>&amp;Sets:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="221"/>
        <source>&amp;Fee (VND):</source>
        <translation>&amp;Fee (VND):</translation>
    </message>
    <message>
        <location filename="../intake.py" line="223"/>
        <source>Appointment:</source>
        <translation>Appointment:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="224"/>
        <source>Scanned &amp;files:</source>
        <translation>Scanned &amp;files:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="225"/>
        <source>Return &amp;method:</source>
        <translation>Return &amp;method:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="228"/>
        <source>N&amp;ote:</source>
        <translation>N&amp;ote:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="233"/>
        <source>Save &amp;&amp; sign  (Ctrl+S)</source>
        <translation>Save &amp;&amp; sign  (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="235"/>
        <source>Print receipt  (Ctrl+P)</source>
        <translation>Print receipt  (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="236"/>
        <source>Save, sign &amp;&amp; print  (Ctrl+Enter)</source>
        <translation>Save, sign &amp;&amp; print  (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="237"/>
        <source>Clear form</source>
        <translation>Clear form</translation>
    </message>
    <message>
        <location filename="../intake.py" line="238"/>
        <source>Refuse (form 03)…</source>
        <translation>Refuse (form 03)…</translation>
    </message>
    <message>
        <location filename="../intake.py" line="396"/>
        <source>Attach scanned documents</source>
        <translation>Attach scanned documents</translation>
    </message>
    <message>
        <location filename="../intake.py" line="398"/>
        <source>Scanned documents (*.pdf *.jpg *.jpeg *.png)</source>
        <translation>Scanned documents (*.pdf *.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="438"/>
        <source>Late entry: %1</source>
        <translation>Late entry: %1</translation>
    </message>
    <message>
        <location filename="../intake.py" line="444"/>
        <source>Say why the dossier is entered late.</source>
        <translation>Say why the dossier is entered late.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="482"/>
        <source>The unfinished form was restored.</source>
        <translation>The unfinished form was restored.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="560"/>
        <source>Please correct the fields marked in red.</source>
        <translation>Please correct the fields marked in red.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="589"/>
        <source>The dossier was not saved: unlock your signing key first (Session menu).</source>
        <translation>The dossier was not saved: unlock your signing key first (Session menu).</translation>
    </message>
    <message>
        <location filename="../intake.py" line="597"/>
        <source>Second open dossier</source>
        <translation>Second open dossier</translation>
    </message>
    <message>
        <location filename="../intake.py" line="598"/>
        <source>%1 already has an open dossier of this procedure: %2. Receive a second one?</source>
        <translation>%1 already has an open dossier of this procedure: %2. Receive a second one?</translation>
    </message>
    <message>
        <location filename="../intake.py" line="601"/>
        <source>&amp;Receive anyway</source>
        <translation>&amp;Receive anyway</translation>
    </message>
    <message>
        <location filename="../intake.py" line="601"/>
        <source>&amp;Go back</source>
        <translation>&amp;Go back</translation>
    </message>
    <message>
        <location filename="../intake.py" line="620"/>
        <source>Not saved: </source>
        <translation>Not saved: </translation>
    </message>
    <message>
        <location filename="../intake.py" line="621"/>
        <source>The form is kept.</source>
        <translation>The form is kept.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="644"/>
        <source>Saved and signed: %1 — %2. Appointment: %3. Ctrl+P prints the receipt.</source>
        <translation>Saved and signed: %1 — %2. Appointment: %3. Ctrl+P prints the receipt.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="676"/>
        <source>(Ctrl+D adds the chosen procedure)</source>
        <translation>(Ctrl+D adds the chosen procedure)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="720"/>
        <source>Enter opens the dossier</source>
        <translation>Enter opens the dossier</translation>
    </message>
    <message>
        <location filename="../intake.py" line="724"/>
        <source>%1 open, %2 closed (● open).</source>
        <translation>%1 open, %2 closed (● open).</translation>
    </message>
    <message>
        <location filename="../intake.py" line="728"/>
        <source>No earlier dossier of this citizen here.</source>
        <translation>No earlier dossier of this citizen here.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="769"/>
        <source>Date of birth: type it as dd/mm/yyyy, e.g. 05/09/1990.</source>
        <translation>Date of birth: type it as dd/mm/yyyy, e.g. 05/09/1990.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="784"/>
        <source>This citizen already has an open dossier of this procedure: %1 (%2). Saving receives a second one.</source>
        <translation>This citizen already has an open dossier of this procedure: %1 (%2). Saving receives a second one.</translation>
    </message>
    <message>
        <location filename="../intake.py" line="816"/>
        <source>Refuse the dossier (form 03)</source>
        <translation>Refuse the dossier (form 03)</translation>
    </message>
    <message>
        <location filename="../intake.py" line="817"/>
        <source>&amp;Reason for refusing:</source>
        <translation>&amp;Reason for refusing:</translation>
    </message>
    <message>
        <location filename="../intake.py" line="829"/>
        <source>Refusal %1 recorded and signed; slip: %2</source>
        <translation>Refusal %1 recorded and signed; slip: %2</translation>
    </message>
    <message>
        <location filename="../intake.py" line="840"/>
        <source>Clear the form</source>
        <translation>Clear the form</translation>
    </message>
    <message>
        <location filename="../intake.py" line="841"/>
        <source>Clear everything typed for this citizen?</source>
        <translation>Clear everything typed for this citizen?</translation>
    </message>
    <message>
        <location filename="../intake.py" line="842"/>
        <source>&amp;Clear</source>
        <translation>&amp;Clear</translation>
    </message>
    <message>
        <location filename="../intake.py" line="842"/>
        <source>&amp;Keep</source>
        <translation>&amp;Keep</translation>
    </message>
    <message>
        <location filename="../intake.py" line="879"/>
        <source>Card scanned: %1, %2.</source>
        <translation>Card scanned: %1, %2.</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../login.py" line="47"/>
        <source>MotCua Counter</source>
        <translation>MotCua Counter</translation>
    </message>
    <message>
        <location filename="../login.py" line="62"/>
        <source>&amp;Log in</source>
        <translation>&amp;Log in</translation>
    </message>
    <message>
        <location filename="../login.py" line="69"/>
        <source>&amp;Username:</source>
        <translation>&amp;Username:</translation>
    </message>
    <message>
        <location filename="../login.py" line="69"/>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <location filename="../login.py" line="70"/>
        <source>Lan&amp;guage:</source>
        <translation>Lan&amp;guage:</translation>
    </message>
    <message>
        <location filename="../login.py" line="106"/>
        <source>DEMO: user %1, password %2 (test-only data).</source>
        <translation>DEMO: user %1, password %2 (test-only data).</translation>
    </message>
    <message>
        <location filename="../login.py" line="116"/>
        <source>Locked after %1 minutes without activity. Enter your password to continue.</source>
        <translation>Locked after %1 minutes without activity. Enter your password to continue.</translation>
    </message>
    <message>
        <location filename="../login.py" line="119"/>
        <source>Screen locked. Enter your password to continue; another clerk can log in with their own account.</source>
        <translation>Screen locked. Enter your password to continue; another clerk can log in with their own account.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../mainwindow.py" line="59"/>
        <location filename="../mainwindow.py" line="616"/>
        <source>MotCua Counter</source>
        <translation>MotCua Counter</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="125"/>
        <source>Help</source>
        <translation>Help</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="214"/>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="218"/>
        <source>&amp;Back up…</source>
        <translation>&amp;Back up…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="218"/>
        <source>&amp;Restore…</source>
        <translation>&amp;Restore…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="219"/>
        <source>Import &amp;catalogue…</source>
        <translation>Import &amp;catalogue…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="219"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="214"/>
        <source>S&amp;ession</source>
        <translation>S&amp;ession</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="220"/>
        <source>&amp;Unlock signing key…</source>
        <translation>&amp;Unlock signing key…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="221"/>
        <source>&amp;Lock screen</source>
        <translation>&amp;Lock screen</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="221"/>
        <source>Log &amp;out</source>
        <translation>Log &amp;out</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="215"/>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="215"/>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="216"/>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="226"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Keyboard shortcuts</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="227"/>
        <source>&amp;About</source>
        <translation>&amp;About</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="109"/>
        <location filename="../mainwindow.py" line="228"/>
        <source>Home</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="110"/>
        <location filename="../mainwindow.py" line="228"/>
        <source>Intake</source>
        <translation>Intake</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="111"/>
        <location filename="../mainwindow.py" line="229"/>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="112"/>
        <location filename="../mainwindow.py" line="229"/>
        <source>Dossier</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="113"/>
        <location filename="../mainwindow.py" line="230"/>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="114"/>
        <location filename="../mainwindow.py" line="230"/>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="122"/>
        <location filename="../mainwindow.py" line="231"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="222"/>
        <source>Change my &amp;password…</source>
        <translation>Change my &amp;password…</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="223"/>
        <source>Larger text</source>
        <translation>Larger text</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="224"/>
        <source>Smaller text</source>
        <translation>Smaller text</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="225"/>
        <source>Normal text size</source>
        <translation>Normal text size</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="262"/>
        <source>About</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="262"/>
        <source>MotCua Counter %1 — dossier intake for commune public-administration service centres.</source>
        <translation>MotCua Counter %1 — dossier intake for commune public-administration service centres.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="329"/>
        <source>The counter is set up. Log in with the administrator account.</source>
        <translation>The counter is set up. Log in with the administrator account.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="432"/>
        <source>&amp;Current password:</source>
        <translation>&amp;Current password:</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="433"/>
        <source>&amp;New password (8+ characters):</source>
        <translation>&amp;New password (8+ characters):</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="434"/>
        <source>New password &amp;again:</source>
        <translation>New password &amp;again:</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="444"/>
        <source>Change my password</source>
        <translation>Change my password</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="454"/>
        <source>Your password was changed.</source>
        <translation>Your password was changed.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="519"/>
        <source>DEMO certificate, password: %1</source>
        <translation>DEMO certificate, password: %1</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="523"/>
        <source>Unlock it again; the form is kept.</source>
        <translation>Unlock it again; the form is kept.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="537"/>
        <source>Certificate expires soon</source>
        <translation>Certificate expires soon</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="538"/>
        <source>Your signing certificate expires in %1 days. Ask IT to renew it.</source>
        <translation>Your signing certificate expires in %1 days. Ask IT to renew it.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="550"/>
        <source>Signing key locked</source>
        <translation>Signing key locked</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="554"/>
        <source>Key: %1 — expires in %2 days, renew it!</source>
        <translation>Key: %1 — expires in %2 days, renew it!</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="557"/>
        <source>Key: %1 (%2 days left)</source>
        <translation>Key: %1 (%2 days left)</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="570"/>
        <source>Receipt not printed: </source>
        <translation>Receipt not printed: </translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="574"/>
        <source>No printer installed: receipt %1 saved as %2</source>
        <translation>No printer installed: receipt %1 saved as %2</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="577"/>
        <source>Receipt %1 sent to the printer.</source>
        <translation>Receipt %1 sent to the printer.</translation>
    </message>
    <message>
        <location filename="../mainwindow.py" line="589"/>
        <source>Receipt %1 reprinted.</source>
        <translation>Receipt %1 reprinted.</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../reportview.py" line="113"/>
        <source>This &amp;month</source>
        <translation>This &amp;month</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="114"/>
        <source>This &amp;year</source>
        <translation>This &amp;year</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="115"/>
        <source>&amp;Build report</source>
        <translation>&amp;Build report</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="116"/>
        <source>Export &amp;CSV…</source>
        <translation>Export &amp;CSV…</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="117"/>
        <source>Tracking &amp;book (05)</source>
        <translation>Tracking &amp;book (05)</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="118"/>
        <source>My &amp;day (end of day)</source>
        <translation>My &amp;day (end of day)</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="125"/>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="125"/>
        <source>Procedure</source>
        <translation>Procedure</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="126"/>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="126"/>
        <source>On time</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="127"/>
        <source>Late</source>
        <translation>Late</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="127"/>
        <source>Open overdue</source>
        <translation>Open overdue</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="131"/>
        <source>&amp;From:</source>
        <translation>&amp;From:</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="131"/>
        <source>&amp;To:</source>
        <translation>&amp;To:</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="170"/>
        <source>Tracking book printed: %1</source>
        <translation>Tracking book printed: %1</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="189"/>
        <source>%1 on %2: %3 received, %4 results returned, fees collected %5 VND.</source>
        <translation>%1 on %2: %3 received, %4 results returned, fees collected %5 VND.</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="193"/>
        <source>End-of-day report: %1 · CSV: %2</source>
        <translation>End-of-day report: %1 · CSV: %2</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="225"/>
        <source>Report</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="225"/>
        <source>Counting dossiers…</source>
        <translation>Counting dossiers…</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="232"/>
        <source>Received: %1 · done on time: %2 · late: %3 · open and overdue: %4 · on-time rate: %5</source>
        <translation>Received: %1 · done on time: %2 · late: %3 · open and overdue: %4 · on-time rate: %5</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="249"/>
        <source>Export report</source>
        <translation>Export report</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="252"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <location filename="../reportview.py" line="264"/>
        <source>Saved %1</source>
        <translation>Saved %1</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <location filename="../search.py" line="219"/>
        <source>Name (no diacritics needed), citizen ID, phone or dossier code</source>
        <translation>Name (no diacritics needed), citizen ID, phone or dossier code</translation>
    </message>
    <message>
        <location filename="../search.py" line="224"/>
        <source>All statuses</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../search.py" line="228"/>
        <source>any procedure</source>
        <translation>any procedure</translation>
    </message>
    <message>
        <location filename="../search.py" line="229"/>
        <source>&amp;From</source>
        <translation>&amp;From</translation>
    </message>
    <message>
        <location filename="../search.py" line="231"/>
        <source>&amp;To</source>
        <translation>&amp;To</translation>
    </message>
    <message>
        <location filename="../search.py" line="242"/>
        <source>&amp;Search:</source>
        <translation>&amp;Search:</translation>
    </message>
    <message>
        <location filename="../search.py" line="248"/>
        <source>Stat&amp;us:</source>
        <translation>Stat&amp;us:</translation>
    </message>
    <message>
        <location filename="../search.py" line="250"/>
        <source>&amp;Procedure:</source>
        <translation>&amp;Procedure:</translation>
    </message>
    <message>
        <location filename="../search.py" line="256"/>
        <source>Red: overdue · Yellow: due today · Enter opens the dossier</source>
        <translation>Red: overdue · Yellow: due today · Enter opens the dossier</translation>
    </message>
    <message>
        <location filename="../search.py" line="329"/>
        <source>Card: %1</source>
        <translation>Card: %1</translation>
    </message>
    <message>
        <location filename="../search.py" line="363"/>
        <source>%1 dossiers</source>
        <translation>%1 dossiers</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../admin.py" line="77"/>
        <source>System default printer</source>
        <translation>System default printer</translation>
    </message>
    <message>
        <location filename="../admin.py" line="81"/>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <location filename="../admin.py" line="81"/>
        <source>A5</source>
        <translation>A5</translation>
    </message>
    <message>
        <location filename="../admin.py" line="82"/>
        <source>80 mm roll</source>
        <translation>80 mm roll</translation>
    </message>
    <message>
        <location filename="../admin.py" line="88"/>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../admin.py" line="92"/>
        <source>Ctrl+S also prints the receipt</source>
        <translation>Ctrl+S also prints the receipt</translation>
    </message>
    <message>
        <location filename="../admin.py" line="93"/>
        <source>&amp;Save preferences</source>
        <translation>&amp;Save preferences</translation>
    </message>
    <message>
        <location filename="../admin.py" line="94"/>
        <source>This counter</source>
        <translation>This counter</translation>
    </message>
    <message>
        <location filename="../admin.py" line="96"/>
        <source>Receipt &amp;printer:</source>
        <translation>Receipt &amp;printer:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="97"/>
        <source>Receipt &amp;layout:</source>
        <translation>Receipt &amp;layout:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="98"/>
        <source>Cop&amp;ies:</source>
        <translation>Cop&amp;ies:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="99"/>
        <source>&amp;Idle lock after:</source>
        <translation>&amp;Idle lock after:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="100"/>
        <source>Lan&amp;guage:</source>
        <translation>Lan&amp;guage:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="113"/>
        <source>Offline only (no gateway)</source>
        <translation>Offline only (no gateway)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="114"/>
        <source>Save &amp;gateway</source>
        <translation>Save &amp;gateway</translation>
    </message>
    <message>
        <location filename="../admin.py" line="117"/>
        <source>E&amp;nrol</source>
        <translation>E&amp;nrol</translation>
    </message>
    <message>
        <location filename="../admin.py" line="120"/>
        <source>Provincial gateway</source>
        <translation>Provincial gateway</translation>
    </message>
    <message>
        <location filename="../admin.py" line="123"/>
        <source>CA bundle:</source>
        <translation>CA bundle:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="129"/>
        <source>Enrolment line:</source>
        <translation>Enrolment line:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="145"/>
        <source>Username</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../admin.py" line="145"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../admin.py" line="146"/>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../admin.py" line="146"/>
        <source>Locked</source>
        <translation>Locked</translation>
    </message>
    <message>
        <location filename="../admin.py" line="154"/>
        <location filename="../admin.py" line="230"/>
        <source>Clerk</source>
        <translation>Clerk</translation>
    </message>
    <message>
        <location filename="../admin.py" line="154"/>
        <location filename="../admin.py" line="230"/>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../admin.py" line="155"/>
        <location filename="../admin.py" line="231"/>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../admin.py" line="159"/>
        <source>&amp;Add account</source>
        <translation>&amp;Add account</translation>
    </message>
    <message>
        <location filename="../admin.py" line="160"/>
        <source>Lock / unlock</source>
        <translation>Lock / unlock</translation>
    </message>
    <message>
        <location filename="../admin.py" line="161"/>
        <source>Set &amp;password…</source>
        <translation>Set &amp;password…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="162"/>
        <source>Bind &amp;certificate…</source>
        <translation>Bind &amp;certificate…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="163"/>
        <source>Accounts</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../admin.py" line="167"/>
        <source>Username:</source>
        <translation>Username:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="168"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="169"/>
        <source>Role:</source>
        <translation>Role:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="170"/>
        <source>Password:</source>
        <translation>Password:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="185"/>
        <source>&amp;Back up…</source>
        <translation>&amp;Back up…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="186"/>
        <source>&amp;Restore…</source>
        <translation>&amp;Restore…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="187"/>
        <source>Import &amp;catalogue…</source>
        <translation>Import &amp;catalogue…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="188"/>
        <source>Add &amp;trust anchor…</source>
        <translation>Add &amp;trust anchor…</translation>
    </message>
    <message>
        <location filename="../admin.py" line="189"/>
        <source>Maintenance</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../admin.py" line="277"/>
        <source>Gateway saved; sync uses it from now on.</source>
        <translation>Gateway saved; sync uses it from now on.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="279"/>
        <source>Gateway saved. This counter is not enrolled yet: paste the enrolment line from the province and press Enrol.</source>
        <translation>Gateway saved. This counter is not enrolled yet: paste the enrolment line from the province and press Enrol.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="283"/>
        <source>Saved: this counter works offline only.</source>
        <translation>Saved: this counter works offline only.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="287"/>
        <source>Enrolled with %1.</source>
        <translation>Enrolled with %1.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="289"/>
        <source>Not enrolled: dossiers stay on this counter until it is enrolled with the provincial gateway.</source>
        <translation>Not enrolled: dossiers stay on this counter until it is enrolled with the provincial gateway.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="309"/>
        <source>Enrolled with %1; sync starts now.</source>
        <translation>Enrolled with %1; sync starts now.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="352"/>
        <location filename="../admin.py" line="385"/>
        <source>Choose an account in the list first.</source>
        <translation>Choose an account in the list first.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="362"/>
        <source>New password for %1</source>
        <translation>New password for %1</translation>
    </message>
    <message>
        <location filename="../admin.py" line="363"/>
        <source>&amp;New password (8+ characters):</source>
        <translation>&amp;New password (8+ characters):</translation>
    </message>
    <message>
        <location filename="../admin.py" line="372"/>
        <source>The password of %1 was set; ask them to change it after logging in.</source>
        <translation>The password of %1 was set; ask them to change it after logging in.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="388"/>
        <source>Signing certificate of %1</source>
        <translation>Signing certificate of %1</translation>
    </message>
    <message>
        <location filename="../admin.py" line="398"/>
        <source>Bind %1 to %2</source>
        <translation>Bind %1 to %2</translation>
    </message>
    <message>
        <location filename="../admin.py" line="400"/>
        <source>Your administrator &amp;password:</source>
        <translation>Your administrator &amp;password:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="411"/>
        <source>Certificate %1 bound to %2.</source>
        <translation>Certificate %1 bound to %2.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="464"/>
        <source>Back up to</source>
        <translation>Back up to</translation>
    </message>
    <message>
        <location filename="../admin.py" line="465"/>
        <location filename="../admin.py" line="483"/>
        <source>Backups (*.motcua *.zip *)</source>
        <translation>Backups (*.motcua *.zip *)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="470"/>
        <source>Wrong password.</source>
        <translation>Wrong password.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="473"/>
        <source>Back up</source>
        <translation>Back up</translation>
    </message>
    <message>
        <location filename="../admin.py" line="474"/>
        <source>The backup holds every citizen&apos;s data and the accounts&apos; password hashes. Keep it locked away. Type your password to write it to %1.</source>
        <translation>The backup holds every citizen&apos;s data and the accounts&apos; password hashes. Keep it locked away. Type your password to write it to %1.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="477"/>
        <source>Your &amp;password:</source>
        <translation>Your &amp;password:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="477"/>
        <source>&amp;Back up</source>
        <translation>&amp;Back up</translation>
    </message>
    <message>
        <location filename="../admin.py" line="482"/>
        <source>Restore from</source>
        <translation>Restore from</translation>
    </message>
    <message>
        <location filename="../admin.py" line="498"/>
        <source>Restore</source>
        <translation>Restore</translation>
    </message>
    <message>
        <location filename="../admin.py" line="499"/>
        <source>Restoring REPLACES every dossier on this counter with the backup %1 (a copy of the current store is kept first). Type this counter&apos;s code %2 to confirm.</source>
        <translation>Restoring REPLACES every dossier on this counter with the backup %1 (a copy of the current store is kept first). Type this counter&apos;s code %2 to confirm.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="502"/>
        <source>Counter &amp;code:</source>
        <translation>Counter &amp;code:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="502"/>
        <source>&amp;Restore</source>
        <translation>&amp;Restore</translation>
    </message>
    <message>
        <location filename="../admin.py" line="507"/>
        <source>Catalogue file</source>
        <translation>Catalogue file</translation>
    </message>
    <message>
        <location filename="../admin.py" line="508"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="574"/>
        <source>Trust anchor installed; %1 pulled event(s) refused earlier are applied now.</source>
        <translation>Trust anchor installed; %1 pulled event(s) refused earlier are applied now.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="207"/>
        <source>CA certificate</source>
        <translation>CA certificate</translation>
    </message>
    <message>
        <location filename="../admin.py" line="122"/>
        <source>UR&amp;L:</source>
        <translation>UR&amp;L:</translation>
    </message>
    <message>
        <location filename="../admin.py" line="208"/>
        <location filename="../admin.py" line="389"/>
        <source>Certificates (*.pem *.crt *.cer *.der)</source>
        <translation>Certificates (*.pem *.crt *.cer *.der)</translation>
    </message>
    <message>
        <location filename="../admin.py" line="235"/>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <location filename="../admin.py" line="258"/>
        <source>Preferences saved.</source>
        <translation>Preferences saved.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="324"/>
        <source>Account %1 added.</source>
        <translation>Account %1 added.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="511"/>
        <source>Import the catalogue</source>
        <translation>Import the catalogue</translation>
    </message>
    <message>
        <location filename="../admin.py" line="512"/>
        <source>Replace the procedure catalogue with %1?</source>
        <translation>Replace the procedure catalogue with %1?</translation>
    </message>
    <message>
        <location filename="../admin.py" line="513"/>
        <source>&amp;Import</source>
        <translation>&amp;Import</translation>
    </message>
    <message>
        <location filename="../admin.py" line="530"/>
        <source>Backing up</source>
        <translation>Backing up</translation>
    </message>
    <message>
        <location filename="../admin.py" line="532"/>
        <source>Backup written: %1 (%2 dossiers).</source>
        <translation>Backup written: %1 (%2 dossiers).</translation>
    </message>
    <message>
        <location filename="../admin.py" line="538"/>
        <source>Restoring</source>
        <translation>Restoring</translation>
    </message>
    <message>
        <location filename="../admin.py" line="540"/>
        <source>Restored %1 dossiers from %2.</source>
        <translation>Restored %1 dossiers from %2.</translation>
    </message>
    <message>
        <location filename="../admin.py" line="546"/>
        <source>Importing the catalogue</source>
        <translation>Importing the catalogue</translation>
    </message>
    <message>
        <location filename="../admin.py" line="548"/>
        <source>Catalogue version %1 imported (%2 procedures).</source>
        <translation>Catalogue version %1 imported (%2 procedures).</translation>
    </message>
    <message>
        <location filename="../admin.py" line="557"/>
        <source>Adding the trust anchor</source>
        <translation>Adding the trust anchor</translation>
    </message>
    <message>
        <location filename="../admin.py" line="562"/>
        <source>Trust anchor installed: %1</source>
        <translation>Trust anchor installed: %1</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../wizard.py" line="112"/>
        <source>Set up this counter</source>
        <translation>Set up this counter</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="132"/>
        <source>The administrator manages accounts and settings of this counter.</source>
        <translation>The administrator manages accounts and settings of this counter.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="144"/>
        <source>&amp;Username:</source>
        <translation>&amp;Username:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="145"/>
        <source>Full &amp;name:</source>
        <translation>Full &amp;name:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="146"/>
        <source>&amp;Password (8+ characters):</source>
        <translation>&amp;Password (8+ characters):</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="147"/>
        <source>Password &amp;again:</source>
        <translation>Password &amp;again:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="154"/>
        <source>Centre and counter</source>
        <translation>Centre and counter</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="155"/>
        <source>The agency code and the counter number are part of every dossier code and cannot be changed later.</source>
        <translation>The agency code and the counter number are part of every dossier code and cannot be changed later.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="162"/>
        <source>Centre &amp;name:</source>
        <translation>Centre &amp;name:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="163"/>
        <source>&amp;Agency identifier code:</source>
        <translation>&amp;Agency identifier code:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="164"/>
        <source>&amp;Counter number:</source>
        <translation>&amp;Counter number:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="173"/>
        <source>Provincial gateway</source>
        <translation>Provincial gateway</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="187"/>
        <source>&amp;Offline only (no gateway yet)</source>
        <translation>&amp;Offline only (no gateway yet)</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="181"/>
        <source>CA bundle</source>
        <translation>CA bundle</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="202"/>
        <source>Trust anchors</source>
        <translation>Trust anchors</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="131"/>
        <source>Language and administrator</source>
        <translation>Language and administrator</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="143"/>
        <source>Counter &amp;language:</source>
        <translation>Counter &amp;language:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="174"/>
        <source>Dossiers are always saved here first; the gateway receives them whenever the link works. Paste the enrolment line the province gave for this counter, or work offline for now.</source>
        <translation>Dossiers are always saved here first; the gateway receives them whenever the link works. Paste the enrolment line the province gave for this counter, or work offline for now.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="180"/>
        <source>B&amp;rowse…</source>
        <translation>B&amp;rowse…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="188"/>
        <source>&amp;Enrolment line:</source>
        <translation>&amp;Enrolment line:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="189"/>
        <source>CA &amp;bundle (private CA):</source>
        <translation>CA &amp;bundle (private CA):</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="203"/>
        <source>Root and intermediate CA certificates that clerks&apos; signing certificates must chain to. At least one is required.</source>
        <translation>Root and intermediate CA certificates that clerks&apos; signing certificates must chain to. At least one is required.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="206"/>
        <source>&amp;Add certificate…</source>
        <translation>&amp;Add certificate…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="208"/>
        <source>CA certificate</source>
        <translation>CA certificate</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="209"/>
        <source>&amp;Certificates:</source>
        <translation>&amp;Certificates:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="216"/>
        <source>Receipt printing</source>
        <translation>Receipt printing</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="218"/>
        <source>System default printer</source>
        <translation>System default printer</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="222"/>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="222"/>
        <source>A5</source>
        <translation>A5</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="223"/>
        <source>80 mm roll</source>
        <translation>80 mm roll</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="225"/>
        <source>&amp;Test print</source>
        <translation>&amp;Test print</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="227"/>
        <source>&amp;Printer:</source>
        <translation>&amp;Printer:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="228"/>
        <source>&amp;Layout:</source>
        <translation>&amp;Layout:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="234"/>
        <source>&lt; &amp;Back</source>
        <translation>&lt; &amp;Back</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="235"/>
        <source>&amp;Next &gt;</source>
        <translation>&amp;Next &gt;</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="236"/>
        <source>&amp;Finish</source>
        <translation>&amp;Finish</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="237"/>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="281"/>
        <source>root</source>
        <translation>root</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="281"/>
        <source>intermediate</source>
        <translation>intermediate</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="300"/>
        <source>Test page sent to %1.</source>
        <translation>Test page sent to %1.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="309"/>
        <source>No printer installed: the test page was saved as %1</source>
        <translation>No printer installed: the test page was saved as %1</translation>
    </message>
</context>
<context>
    <name>SyncIndicator</name>
    <message>
        <location filename="../syncpanel.py" line="38"/>
        <source>○ Offline only (no gateway)</source>
        <translation>○ Offline only (no gateway)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="41"/>
        <source>● Offline since %1</source>
        <translation>● Offline since %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="41"/>
        <source>● Offline</source>
        <translation>● Offline</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="44"/>
        <source>● Not synced yet</source>
        <translation>● Not synced yet</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="46"/>
        <source>● Online</source>
        <translation>● Online</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="47"/>
        <source>%1 waiting</source>
        <translation>%1 waiting</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="49"/>
        <source>%1 refused</source>
        <translation>%1 refused</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="52"/>
        <source>last sync %1</source>
        <translation>last sync %1</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <location filename="../syncpanel.py" line="70"/>
        <source>Connection:</source>
        <translation>Connection:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="70"/>
        <source>Gateway:</source>
        <translation>Gateway:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="71"/>
        <source>Waiting to send:</source>
        <translation>Waiting to send:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="72"/>
        <source>Refused by the province:</source>
        <translation>Refused by the province:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="73"/>
        <source>Last successful sync:</source>
        <translation>Last successful sync:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="74"/>
        <source>Last error:</source>
        <translation>Last error:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="79"/>
        <source>Sync with the province</source>
        <translation>Sync with the province</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="82"/>
        <location filename="../syncpanel.py" line="104"/>
        <source>Dossier</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="82"/>
        <location filename="../syncpanel.py" line="104"/>
        <source>Event</source>
        <translation>Event</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="83"/>
        <location filename="../syncpanel.py" line="104"/>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="83"/>
        <source>Since</source>
        <translation>Since</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="87"/>
        <source>Events refused by the province (parked)</source>
        <translation>Events refused by the province (parked)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="92"/>
        <source>In use:</source>
        <translation>In use:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="92"/>
        <source>Replaced:</source>
        <translation>Replaced:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="93"/>
        <source>Refused announcements:</source>
        <translation>Refused announcements:</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="99"/>
        <source>Gateway signing certificate (province events)</source>
        <translation>Gateway signing certificate (province events)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="104"/>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="105"/>
        <source>Signed by</source>
        <translation>Signed by</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="105"/>
        <source>What happens</source>
        <translation>What happens</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="116"/>
        <source>Pulled events not applied here</source>
        <translation>Pulled events not applied here</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="118"/>
        <source>&amp;Retry now</source>
        <translation>&amp;Retry now</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="119"/>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="139"/>
        <source>Offline only: no gateway configured. Dossiers are kept here and sent once a gateway is set in Settings.</source>
        <translation>Offline only: no gateway configured. Dossiers are kept here and sent once a gateway is set in Settings.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="142"/>
        <source>Offline since %1 — work goes on; everything is sent when the link returns.</source>
        <translation>Offline since %1 — work goes on; everything is sent when the link returns.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="146"/>
        <source>Not synced yet</source>
        <translation>Not synced yet</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="148"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="150"/>
        <source>— (not enrolled: an administrator pastes the enrolment line from the province in Settings → Provincial gateway)</source>
        <translation>— (not enrolled: an administrator pastes the enrolment line from the province in Settings → Provincial gateway)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="176"/>
        <source>pinned at enrolment</source>
        <translation>pinned at enrolment</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="177"/>
        <source>pinned from the gateway&apos;s signed announcement</source>
        <translation>pinned from the gateway&apos;s signed announcement</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="178"/>
        <source>pinned by an administrator</source>
        <translation>pinned by an administrator</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="179"/>
        <source>pinned, but the audit log does not record it — added to the store file? run &apos;motcua verify&apos;</source>
        <translation>pinned, but the audit log does not record it — added to the store file? run &apos;motcua verify&apos;</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="182"/>
        <source>(subject not known yet)</source>
        <translation>(subject not known yet)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="184"/>
        <source>since %1</source>
        <translation>since %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="186"/>
        <source>replaced from %1</source>
        <translation>replaced from %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="196"/>
        <source>none pinned yet: province events are refused until the counter is enrolled</source>
        <translation>none pinned yet: province events are refused until the counter is enrolled</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="208"/>
        <source>certificate announced: %1</source>
        <translation>certificate announced: %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="217"/>
        <source>province</source>
        <translation>province</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="217"/>
        <source>another counter</source>
        <translation>another counter</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="223"/>
        <source>pulled %1</source>
        <translation>pulled %1</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="236"/>
        <source>Pulled events not applied here (%1)</source>
        <translation>Pulled events not applied here (%1)</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="243"/>
        <source>%1 event(s) queued to be sent again.</source>
        <translation>%1 event(s) queued to be sent again.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="245"/>
        <source>This counter is not enrolled with a gateway: the events wait here.</source>
        <translation>This counter is not enrolled with a gateway: the events wait here.</translation>
    </message>
    <message>
        <location filename="../syncpanel.py" line="247"/>
        <source>Trying to send the waiting events now.</source>
        <translation>Trying to send the waiting events now.</translation>
    </message>
</context>
<context>
    <name>UnlockKeyDialog</name>
    <message>
        <location filename="../login.py" line="165"/>
        <source>Unlock signing key</source>
        <translation>Unlock signing key</translation>
    </message>
    <message>
        <location filename="../login.py" line="169"/>
        <source>Every dossier is signed with your digital certificate. Unlock it once for this session; the password or PIN is never stored.</source>
        <translation>Every dossier is signed with your digital certificate. Unlock it once for this session; the password or PIN is never stored.</translation>
    </message>
    <message>
        <location filename="../login.py" line="177"/>
        <source>&amp;Browse…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <location filename="../login.py" line="185"/>
        <source>Certificate &amp;file:</source>
        <translation>Certificate &amp;file:</translation>
    </message>
    <message>
        <location filename="../login.py" line="188"/>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;word:</translation>
    </message>
    <message>
        <location filename="../login.py" line="193"/>
        <source>Certificate file (.p12)</source>
        <translation>Certificate file (.p12)</translation>
    </message>
    <message>
        <location filename="../login.py" line="203"/>
        <source>PKCS#11 &amp;module:</source>
        <translation>PKCS#11 &amp;module:</translation>
    </message>
    <message>
        <location filename="../login.py" line="204"/>
        <source>Token &amp;label:</source>
        <translation>Token &amp;label:</translation>
    </message>
    <message>
        <location filename="../login.py" line="205"/>
        <source>&amp;Key label (optional):</source>
        <translation>&amp;Key label (optional):</translation>
    </message>
    <message>
        <location filename="../login.py" line="206"/>
        <source>P&amp;IN:</source>
        <translation>P&amp;IN:</translation>
    </message>
    <message>
        <location filename="../login.py" line="210"/>
        <source>USB token</source>
        <translation>USB token</translation>
    </message>
    <message>
        <location filename="../login.py" line="218"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Unlock</translation>
    </message>
    <message>
        <location filename="../login.py" line="220"/>
        <source>Later</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../login.py" line="244"/>
        <source>Certificate file</source>
        <translation>Certificate file</translation>
    </message>
    <message>
        <location filename="../login.py" line="245"/>
        <source>PKCS#12 files (*.p12 *.pfx)</source>
        <translation>PKCS#12 files (*.p12 *.pfx)</translation>
    </message>
</context>
</TS>
