using System.Reflection;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// <c>MimoRemote</c>: <c>s3://bucket/prefix</c> or <c>azblob://container/prefix</c>. The prefix (may be empty) holds
/// the backups as flat objects, <c>&lt;prefix&gt;/&lt;backup&gt;.db</c> and its sidecar.
/// </summary>
internal sealed record RemoteAddress(string Scheme, string Container, string Prefix)
{
    public const string S3 = "s3";
    public const string AzureBlob = "azblob";

    /// <summary>The provider package of each scheme, found at run time so that an app without remote storage never loads an SDK.</summary>
    private static readonly Dictionary<string, (string Package, string Provider)> Providers = new(StringComparer.Ordinal)
    {
        [S3] = ("MimoBackup.EfCore.S3", "MimoBackup.EfCore.S3.S3ObjectStoreProvider"),
        [AzureBlob] = ("MimoBackup.EfCore.AzureBlob", "MimoBackup.EfCore.AzureBlob.AzureBlobObjectStoreProvider"),
    };

    /// <summary>The address as it is written, without a trailing slash.</summary>
    public string Text => Prefix.Length == 0 ? $"{Scheme}://{Container}" : $"{Scheme}://{Container}/{Prefix}";

    /// <summary>The key of an object under the prefix.</summary>
    public string KeyOf(string name) => Prefix.Length == 0 ? name : Prefix + "/" + name;

    /// <summary>The package that serves this scheme.</summary>
    public string Package => Providers[Scheme].Package;

    public override string ToString() => Text;

    /// <summary>Reads a <c>MimoRemote</c> value; MIMO001 naming <paramref name="setting"/> when it is not one.</summary>
    public static RemoteAddress Parse(string value, string setting = "MimoRemote")
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? text[..separator].ToLowerInvariant() : "";
        var rest = separator > 0 ? text[(separator + 3)..].Trim('/') : "";
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (!Providers.ContainsKey(scheme) || container.Length == 0 || !IsContainerName(container)
            || prefix.Split('/').Any(p => p is "." or ".." || (p.Length == 0 && prefix.Length > 0))
            || text.Contains('?', StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal) || text.Contains('@', StringComparison.Ordinal))
        {
            // The value is not echoed: a mistyped address may hold a key pasted into it.
            throw new MimoBackupException(MimoError.InvalidSetting, setting, Redacted(text), "s3://<bucket>/<prefix>, azblob://<container>/<prefix>");
        }

        return new RemoteAddress(scheme, container, prefix);
    }

    /// <summary>
    /// Opens the store through its provider package (<c>MimoBackup.EfCore.S3</c>, <c>MimoBackup.EfCore.AzureBlob</c>),
    /// which the app references; MIMO602 when it does not.
    /// </summary>
    public IObjectStore Open()
    {
        var (package, providerType) = Providers[Scheme];
        Type? type;
        try
        {
            type = Assembly.Load(new AssemblyName(package)).GetType(providerType, throwOnError: false);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new MimoBackupException(MimoError.RemoteProviderMissing, e, Text, package);
        }

        try
        {
            if (type is null || Activator.CreateInstance(type) is not IObjectStoreProvider provider)
            {
                throw new MimoBackupException(MimoError.RemoteProviderMissing, Text, package);
            }

            return provider.Open(this);
        }
        catch (Exception e) when (e is TypeLoadException or MissingMethodException)
        {
            // A provider of another version than this package: the same answer, the same version fixes it.
            throw new MimoBackupException(MimoError.RemoteProviderMissing, e, Text, package);
        }
    }

    private static bool IsContainerName(string name)
        => name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');

    /// <summary>The value as written, unless it has the shape of one holding a credential (user info, a query).</summary>
    private static string Redacted(string text)
        => text.IndexOfAny(['@', '?', '#']) < 0 && text.Count(c => c == ':') <= 1 ? text
            : text.IndexOf("://", StringComparison.Ordinal) is > 0 and var at ? text[..(at + 3)] + "… (not shown: it may hold a credential)"
            : "(not shown: it may hold a credential)";
}
