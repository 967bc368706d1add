; Inno Setup 6 script for MotCua Counter (Windows installer).
; Build the bundle first (python packaging\build.py), then from the repository root:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DMyAppVersion=0.1.0 packaging\windows\motcua.iss
; Output: dist\motcua-<version>-windows-x64-setup.exe. Details: packaging\windows\BUILD.md.
;
; Decisions:
; * Per-machine install into Program Files (IT installs once per PC, clerks are not admins).
; * The counter's data stays in the user's profile (%LOCALAPPDATA%\motcua): uninstalling or
;   upgrading never touches the store, its backups or the scans. A new version backs the store
;   up before any schema upgrade (kept in %LOCALAPPDATA%\motcua\backups).
; * The site-wide configuration IT deploys lives in %PROGRAMDATA%\MotCua\motcua.toml. The
;   installer creates the folder; it installs an example file only when none exists, and never
;   removes it on uninstall.
; * After installing, the self-test runs (motcua.exe --self-test) and its report is kept in
;   %PROGRAMDATA%\MotCua\selftest-<version>.txt; a failure is shown to the installer.

#ifndef MyAppVersion
  #define MyAppVersion "0.0.0"
#endif
#define MyAppName "MotCua Counter"
#define MyAppExe "motcua.exe"
#define MyGuiExe "motcua-gui.exe"
#define SourceDir "..\..\dist\motcua"

[Setup]
AppId={{5C7B7C9E-3E0B-4E55-9D5B-6D2E6A1C0A11}
AppName={#MyAppName}
AppVersion={#MyAppVersion}
AppVerName={#MyAppName} {#MyAppVersion}
AppPublisher=MotCua
DefaultDirName={autopf}\MotCua
DefaultGroupName=MotCua
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=motcua-{#MyAppVersion}-windows-x64-setup
SetupIconFile=motcua.ico
UninstallDisplayIcon={app}\{#MyGuiExe}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
WizardStyle=modern
; The app may be running during an upgrade: ask to close it rather than replace files in use.
CloseApplications=yes
RestartApplications=no
VersionInfoVersion={#MyAppVersion}

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Vietnamese messages ship with Inno Setup's unofficial translations; add
; Name: "vietnamese"; MessagesFile: "compiler:Languages\Vietnamese.isl"  when it is installed.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; A new version replaces the whole bundle: stale libraries from an older one must not linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\motcua.toml.example"; DestDir: "{commonappdata}\MotCua"; DestName: "motcua.toml"; Flags: onlyifdoesntexist uninsneveruninstall

[Dirs]
Name: "{commonappdata}\MotCua"; Flags: uninsneveruninstall

[Icons]
Name: "{group}\{#MyAppName}"; Filename: "{app}\{#MyGuiExe}"; IconFilename: "{app}\{#MyGuiExe}"
Name: "{group}\MotCua self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#MyAppExe}"" --self-test"
Name: "{autodesktop}\{#MyAppName}"; Filename: "{app}\{#MyGuiExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#MyGuiExe}"; Description: "{cm:LaunchProgram,{#MyAppName}}"; Flags: nowait postinstall skipifsilent unchecked

[Code]
// After the files are in place: run the self-test, keep its report, show it when it failed
// (a silent install only logs it; IT reads %PROGRAMDATA%\MotCua\selftest-<version>.txt).
procedure CurStepChanged(CurStep: TSetupStep);
var
  Report: AnsiString;
  Path, Params: String;
  ResultCode: Integer;
begin
  if CurStep = ssPostInstall then
  begin
    WizardForm.StatusLabel.Caption := 'Running the self-test (motcua --self-test)...';
    Path := ExpandConstant('{commonappdata}\MotCua\selftest-{#MyAppVersion}.txt');
    Params := '/c ""' + ExpandConstant('{app}\{#MyAppExe}') + '" --self-test > "' + Path + '" 2>&1"';
    if Exec(ExpandConstant('{cmd}'), Params, '', SW_HIDE, ewWaitUntilTerminated, ResultCode) then
    begin
      if LoadStringFromFile(Path, Report) then
        Log('self-test (exit ' + IntToStr(ResultCode) + '): ' + String(Report));
      if (ResultCode <> 0) and not WizardSilent then
        MsgBox('The MotCua self-test found a problem (exit code ' + IntToStr(ResultCode) +
               '). Report: ' + Path, mbError, MB_OK);
    end
    else
      Log('could not run the self-test: ' + SysErrorMessage(ResultCode));
  end;
end;
