namespace MimoBackup.EfCore.Internal;

/// <summary>Where the package's lines go: dotnet-ef's reporter at design time, the app's logger at run time.</summary>
internal interface IMimoOutput
{
    void Information(string line);

    void Warning(string line);
}
