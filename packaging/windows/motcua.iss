; Inno Setup script for MotCua Counter (Windows installer). Requires Inno Setup 6.3 or newer.
; Build the bundle first (python packaging\build.py prints the exact command), then from the
; repository root:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DMyAppVersion=0.2.0rc1 /DMyAppNumericVersion=0.2.0.0 packaging\windows\motcua.iss
; Output: dist\motcua-<version>-windows-x64-setup.exe. Details: packaging\windows\BUILD.md.
;
; Decisions:
; * Per-machine install into Program Files (IT installs once per PC, clerks are not admins).
; * Data per MACHINE by default: %PROGRAMDATA%\MotCua\data (store, scans, trust anchors,
;   backups), writable by the local group "MotCua Clerks" (created here; IT adds the clerks'
;   accounts), SYSTEM and Administrators only. Every clerk of a shared counter PC works on the
;   counter's one store (a store per Windows account would let a second account set the same
;   counter up again: colliding dossier codes). Per user only by choice: the "peruser" task
;   writes data_dir = "%LOCALAPPDATA%\motcua" into a NEW site file.
; * Uninstalling or upgrading never touches the data, its backups or the site configuration.
;   A new version backs the store up before any schema upgrade (data\backups).
; * The site-wide configuration IT deploys lives in %PROGRAMDATA%\MotCua\motcua.toml; an
;   example is installed only when none exists.
; * After installing, the self-test runs (motcua.exe --self-test, UTF-8 report kept in
;   %PROGRAMDATA%\MotCua\selftest-<version>.txt); a failure is shown to the installer.
; * The optional launch at the end runs as the ORIGINAL (non-elevated) user, never as the
;   administrator who approved the elevation.
; * Vietnamese and English installer; Vietnamese first.

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is required (ArchitecturesAllowed=x64compatible)
#endif
#ifndef MyAppVersion
  #define MyAppVersion "0.0.0"
#endif
#ifndef MyAppNumericVersion
  ; VersionInfoVersion must be numeric (A.B.C.D): build.py passes it for versions like 0.2.0rc1
  #define MyAppNumericVersion "0.0.0.0"
#endif
#define MyAppName "MotCua Counter"
#define MyAppExe "motcua.exe"
#define MyGuiExe "motcua-gui.exe"
#define SourceDir "..\..\dist\motcua"
#define ClerksGroup "MotCua Clerks"
; Inno Setup's unofficial Vietnamese messages: next to this script (see BUILD.md), or in the
; compiler's Languages\Unofficial folder.
#if FileExists(AddBackslash(SourcePath) + "Vietnamese.isl")
  #define VietnameseIsl "Vietnamese.isl"
#elif FileExists(CompilerPath + "Languages\Unofficial\Vietnamese.isl")
  #define VietnameseIsl "compiler:Languages\Unofficial\Vietnamese.isl"
#else
  #error Vietnamese.isl not found: download it as described in packaging\windows\BUILD.md
#endif

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
VersionInfoVersion={#MyAppNumericVersion}
VersionInfoProductTextVersion={#MyAppVersion}
ShowLanguageDialog=auto

[Languages]
Name: "vietnamese"; MessagesFile: "{#VietnameseIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
vietnamese.PerUserData=Lưu dữ liệu riêng cho từng tài khoản Windows (không khuyến nghị cho máy quầy dùng chung)
english.PerUserData=Keep data per Windows account (not recommended for a shared counter PC)
vietnamese.DataGroup=Dữ liệu:
english.DataGroup=Data:
vietnamese.SelfTestRunning=Đang tự kiểm tra (motcua --self-test)...
english.SelfTestRunning=Running the self-test (motcua --self-test)...
vietnamese.SelfTestFailed=Bước tự kiểm tra của MotCua phát hiện lỗi (mã %1). Báo cáo: %2
english.SelfTestFailed=The MotCua self-test found a problem (exit code %1). Report: %2
vietnamese.SelfTestShortcut=MotCua - tự kiểm tra
english.SelfTestShortcut=MotCua self-test

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "peruser"; Description: "{cm:PerUserData}"; GroupDescription: "{cm:DataGroup}"; Flags: unchecked

[InstallDelete]
; A new version replaces the whole bundle: stale libraries from an older one must not linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\motcua.toml.example"; DestDir: "{commonappdata}\MotCua"; DestName: "motcua.toml"; Flags: onlyifdoesntexist uninsneveruninstall

[Dirs]
Name: "{commonappdata}\MotCua"; Flags: uninsneveruninstall
Name: "{commonappdata}\MotCua\data"; Flags: uninsneveruninstall; Tasks: not peruser

[Icons]
Name: "{group}\{#MyAppName}"; Filename: "{app}\{#MyGuiExe}"; IconFilename: "{app}\{#MyGuiExe}"
Name: "{group}\{cm:SelfTestShortcut}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#MyAppExe}"" --self-test"
Name: "{autodesktop}\{#MyAppName}"; Filename: "{app}\{#MyGuiExe}"; Tasks: desktopicon

[Run]
; As the original (non-elevated) user: an administrator's launch would create and own things
; in that account's name.
Filename: "{app}\{#MyGuiExe}"; Description: "{cm:LaunchProgram,{#MyAppName}}"; Flags: nowait postinstall skipifsilent unchecked runasoriginaluser

[Code]
function RunHidden(const Exe, Params: String): Integer;
var
  ResultCode: Integer;
begin
  if Exec(Exe, Params, '', SW_HIDE, ewWaitUntilTerminated, ResultCode) then
    Result := ResultCode
  else
    Result := -1;
  Log(Exe + ' ' + Params + ' -> ' + IntToStr(Result));
end;

// Per-machine data: the clerks' group and the folder's ACL (inheritance cut; full control
// for SYSTEM and Administrators, modify for the clerks' group), before the self-test.
procedure SecureDataFolder;
var
  Data: String;
begin
  Data := ExpandConstant('{commonappdata}\MotCua\data');
  RunHidden(ExpandConstant('{sys}\net.exe'), 'localgroup "{#ClerksGroup}" /add /comment:"MotCua counter clerks"');
  RunHidden(ExpandConstant('{sys}\icacls.exe'), '"' + Data + '" /inheritance:r /grant:r ' +
    '*S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F "{#ClerksGroup}":(OI)(CI)M');
end;

// Per-user data by choice: a NEW site file saying so (an existing one is IT's and kept).
procedure WritePerUserSiteFile;
var
  Site: String;
begin
  Site := ExpandConstant('{commonappdata}\MotCua\motcua.toml');
  SaveStringToFile(Site, #13#10 + '# chosen at install: data per Windows account' + #13#10 +
    'data_dir = "%LOCALAPPDATA%\\motcua"' + #13#10, True);
end;

// After the files are in place: run the self-test, keep its report (UTF-8), show it when it
// failed (a silent install only logs it; IT reads %PROGRAMDATA%\MotCua\selftest-<version>.txt).
procedure CurStepChanged(CurStep: TSetupStep);
var
  Report: AnsiString;
  Path, Params: String;
  ResultCode: Integer;
begin
  if CurStep = ssPostInstall then
  begin
    if WizardIsTaskSelected('peruser') then
      WritePerUserSiteFile
    else
      SecureDataFolder;
    WizardForm.StatusLabel.Caption := CustomMessage('SelfTestRunning');
    Path := ExpandConstant('{commonappdata}\MotCua\selftest-{#MyAppVersion}.txt');
    Params := '/c ""' + ExpandConstant('{app}\{#MyAppExe}') + '" --self-test > "' + Path + '" 2>&1"';
    if Exec(ExpandConstant('{cmd}'), Params, '', SW_HIDE, ewWaitUntilTerminated, ResultCode) then
    begin
      // motcua writes UTF-8 whatever the console: decode it as such, not as the ANSI page
      if LoadStringFromFile(Path, Report) then
        Log('self-test (exit ' + IntToStr(ResultCode) + '): ' + UTF8Decode(Report));
      if (ResultCode <> 0) and not WizardSilent then
        MsgBox(FmtMessage(CustomMessage('SelfTestFailed'), [IntToStr(ResultCode), Path]),
               mbError, MB_OK);
    end
    else
      Log('could not run the self-test: ' + SysErrorMessage(ResultCode));
  end;
end;
