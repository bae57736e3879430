/**
 * The demo's appsettings.json: the original program's format (its keys, Type numbers) plus
 * possync's own keys pointing each account at a local simulator.
 */
export interface DemoEndpoints {
  square: { url: string; accessToken: string; locationId: string };
  lightspeed: { url: string; accountID: string; clientId: string; clientSecret: string; refreshToken: string; shopId: string; employeeID: string; registerID: string };
  hiboutik: { url: string; account: string; email: string; apiKey: string; storeId: string };
}

/** Fixed account ids, so the examples in /docs work on the demo as they are. */
export const DEMO_ACCOUNT_IDS = { square: 'demo-square', hiboutik: 'demo-hiboutik', lightspeed: 'demo-lightspeed' } as const;

export function demoConfig(endpoints: DemoEndpoints, options: { port: number; dataDir: string; cron: string }): object {
  const { square, lightspeed, hiboutik } = endpoints;
  return {
    hangfireDatabaseConnectionString: '',
    ecommerceDatabaseConnectionString: '',
    PosAccess: {
      PosConfigurations: [
        { Type: '1', Id: DEMO_ACCOUNT_IDS.square, Name: 'Square demo shop', AccessToken: square.accessToken, Locations: [square.locationId], BaseUrl: square.url },
        {
          Type: '2',
          Id: DEMO_ACCOUNT_IDS.hiboutik,
          Name: 'Hiboutik demo shop',
          AccessToken: hiboutik.apiKey,
          EmailAddress: hiboutik.email,
          AccountName: hiboutik.account,
          StoreID: Number(hiboutik.storeId),
          MaximumRequests: 10000,
          BaseUrl: `${hiboutik.url}/api`,
        },
        {
          Type: '3',
          Id: DEMO_ACCOUNT_IDS.lightspeed,
          Name: 'Lightspeed demo shop',
          AccountID: lightspeed.accountID,
          ClientID: lightspeed.clientId,
          ClientSecret: lightspeed.clientSecret,
          RefreshToken: lightspeed.refreshToken,
          ShopID: Number(lightspeed.shopId),
          EmployeeID: Number(lightspeed.employeeID),
          RegisterID: Number(lightspeed.registerID),
          ApiBaseUrl: lightspeed.url,
          TokenUrl: `${lightspeed.url}/auth/oauth/token`,
        },
      ],
    },
    Server: { Host: '127.0.0.1', Port: options.port },
    Synchronizer: { Cron: options.cron, TimeZone: 'UTC', StartOnBoot: false },
    Core: { DataFolder: options.dataDir },
  };
}
