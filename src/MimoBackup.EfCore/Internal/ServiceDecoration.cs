using Microsoft.Extensions.DependencyInjection;

namespace MimoBackup.EfCore.Internal;

/// <summary>Replaces the last registration of a service with a decorator around whatever it produced.</summary>
internal static class ServiceDecoration
{
    /// <returns>False when nothing is registered for the service yet.</returns>
    public static bool Decorate<TService>(IServiceCollection services, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(TService) && !d.IsKeyedService);
        if (original is null)
        {
            return false;
        }

        services.Remove(original);
        services.Add(new ServiceDescriptor(typeof(TService), provider => decorate(provider, Create<TService>(provider, original)), original.Lifetime));
        return true;
    }

    private static TService Create<TService>(IServiceProvider provider, ServiceDescriptor original)
        => (TService)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!));
}
