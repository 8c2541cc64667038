// Transactions (manual §6, §7): every ECPay payment of this shop, across the apps it installed
// (the app is a column and a filter), searchable by Shopify Payment ID, MerchantTradeNo, ECPay
// TradeNo or checkout id, filtered by status, ECPay payment method, date and test; keyset pages
// with a bounded count. A table on a laptop, a list of cards on a phone. The export form comes here first: a bad range is shown on its fields, a good one
// is redirected to the CSV download.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  EmptyState,
  IndexTable,
  InlineGrid,
  InlineStack,
  Link,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
  useBreakpoints,
} from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { appLabel, StatusBadge, TestBadge, Truncated } from "~/admin/components";
import { requireAdmin } from "~/web/admin-context.server";
import { ExportCard } from "~/admin/export-card";
import { readExportForm } from "~/admin/export-form";
import { checkDateRange, hasErrors } from "~/admin/date-range";
import { formatAmount, formatCount, formatDateTime, moneyNote, taiwanDate } from "~/admin/format";
import { paymentTypeLabel, paymentTypesFor } from "~/admin/payment-types";
import { DISPLAY_STATUSES, STATUS_LABELS } from "~/admin/status";
import {
  COUNT_LIMIT,
  listShopTransactions,
  parseTransactionQuery,
  SEARCH_WINDOW,
  shopApps,
  type TransactionPage,
  type TransactionQuery,
  type TransactionRow,
} from "~/admin/transactions.server";
import { useAdmin, type Translate } from "~/admin/use-admin";
import type { Locale } from "~/i18n";
import { deps } from "~/deps.server";
import { getMethod, type MethodHandle } from "~/payments/methods";
import { flagsOf } from "~/payments/settlement-rules";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const search = new URL(request.url).searchParams;
  const d = deps();

  const today = d.now();
  const installed = await shopApps(d.db, ctx.shop);
  const exportForm = readExportForm(search, `/apps/${ctx.method}`, installed, { from: taiwanDate(new Date(today.getTime() - 30 * 24 * 3600_000)), to: taiwanDate(today) });
  if (exportForm.redirectTo) return redirect(exportForm.redirectTo);

  const query = parseTransactionQuery(search);
  const dates = { from: search.get("from")?.trim() ?? "", to: search.get("to")?.trim() ?? "" };
  const dateErrors = checkDateRange(dates.from, dates.to, { required: false });
  // A filter that cannot be applied lists nothing rather than everything.
  const apps = installed;
  const page: TransactionPage = hasErrors(dateErrors) ? { rows: [], next: null, previous: null, count: 0 } : await listShopTransactions(d.db, ctx.shop, query);
  // The PaymentTypes of the shop's apps, each once (the registry's order).
  const paymentTypes = [...new Set(apps.flatMap((m) => paymentTypesFor(getMethod(m))))];
  const filtered = Boolean(query.q || query.status || query.test || query.paymentType || dates.from || dates.to || query.apps?.length || query.after || query.before);
  return { page, query, dates, dateErrors, exportForm, paymentTypes, apps, filtered, searchWindow: SEARCH_WINDOW, countLimit: COUNT_LIMIT };
}

function queryString(query: TransactionQuery, cursor: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  for (const key of ["q", "status", "paymentType", "test", "from", "to"] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  for (const app of query.apps ?? []) params.append("app", app);
  if (cursor.after) params.set("after", cursor.after);
  if (cursor.before) params.set("before", cursor.before);
  return params.toString();
}

/** A small picture for the empty states, inline (no request to a CDN, also in the sandbox). */
const EMPTY_IMAGE =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120" viewBox="0 0 160 120"><rect x="40" y="14" width="80" height="96" rx="8" fill="#f1f1f1" stroke="#8a8a8a" stroke-width="3"/><path d="M56 40h48M56 58h48M56 76h30" stroke="#8a8a8a" stroke-width="5" stroke-linecap="round"/></svg>',
  );

/** IndexTable keeps every cell on one line; these cells wrap within a width instead. */
function Wrap({ maxWidth, align, children }: { maxWidth: string; align?: "end"; children: ReactNode }) {
  return <div style={{ whiteSpace: "normal", maxWidth, marginInlineStart: align === "end" ? "auto" : undefined, overflowWrap: "anywhere" }}>{children}</div>;
}

/** A row's long ids under its Payment ID, each cut to the column (whole in the title and the detail). */
function RowIds({ row, t }: { row: TransactionRow; t: Translate }) {
  const ids: Array<[string, string]> = [
    ...row.merchantTradeNos.map((no): [string, string] => ["MerchantTradeNo", no]),
    ...(row.tradeNo ? [["TradeNo", row.tradeNo] as [string, string]] : []),
    ...(row.checkoutRef ? [[t("admin.transactions.checkout"), row.checkoutRef] as [string, string]] : []),
  ];
  if (!ids.length) return null;
  return (
    <Text as="span" tone="subdued" variant="bodySm">
      <span style={{ display: "flex", flexDirection: "column" }}>
        {ids.map(([label, value]) => (
          <Truncated key={`${label}${value}`} text={value} maxWidth="22ch" />
        ))}
      </span>
    </Text>
  );
}

function PaymentCell({ row, url, t }: { row: TransactionRow; url: string; t: Translate }) {
  const flags = [
    row.test ? <TestBadge key="test" /> : null,
    row.simulatePaid ? (
      <Badge key="simulatePaid" tone="info">
        {t("admin.badge.simulatePaid")}
      </Badge>
    ) : null,
    ...flagsOf(row.flag).map((flag) => (
      <Badge key={flag} tone="critical">
        {flag}
      </Badge>
    )),
  ].filter(Boolean);
  return (
    <BlockStack gap="050">
      <Link url={url} removeUnderline dataPrimaryLink>
        <Text as="span" fontWeight="semibold">
          <Truncated text={row.id} maxWidth="22ch" id={`payment-id-${row.id}`} />
        </Text>
      </Link>
      <RowIds row={row} t={t} />
      {flags.length ? (
        <InlineStack gap="100" wrap>
          {flags}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}

function AmountCell({ row, t }: { row: TransactionRow; t: Translate }) {
  const note = moneyNote(row.money, t, row.currency);
  return (
    <Wrap maxWidth="18ch" align="end">
    <BlockStack gap="050" inlineAlign="end">
      <Text as="span" alignment="end" numeric id={`amount-${row.id}`}>
        {formatAmount(row.amount, row.amountRaw, row.currency)}
      </Text>
      {note ? (
        <Text as="span" alignment="end" tone="subdued" variant="bodySm" id={`money-${row.id}`}>
          {note}
        </Text>
      ) : null}
    </BlockStack>
    </Wrap>
  );
}

/** What the buyer paid with (ECPay's PaymentType); while an ATM payment waits, its account and deadline. */
function PaymentTypeCell({ row, t, locale }: { row: TransactionRow; t: Translate; locale: Locale }) {
  const account = row.pendingAccount;
  return (
    <Wrap maxWidth="20ch">
    <BlockStack gap="050">
      {row.paymentType ? (
        <>
          <Text as="span" id={`payment-type-${row.id}`}>
            {paymentTypeLabel(locale, row.paymentType)}
          </Text>
          <Text as="span" tone="subdued" variant="bodySm">
            {row.paymentType}
          </Text>
        </>
      ) : account ? null : (
        "—"
      )}
      {account ? (
        <div id={`atm-${row.id}`} data-testid="pending-atm" data-bank={account.bankCode} data-account={account.vAccount}>
          <Text as="span" variant="bodySm">
            {t("admin.console.atmAccount", { bank: account.bankCode, account: account.vAccount })}
          </Text>
          <br />
          <Text as="span" variant="bodySm" tone="caution">
            {t("admin.console.atmDeadline", { deadline: account.deadline ? formatDateTime(account.deadline) : (account.expireDate ?? "—") })}
          </Text>
        </div>
      ) : null}
    </BlockStack>
    </Wrap>
  );
}

function StatusCell({ row }: { row: TransactionRow }) {
  return (
    <span id={`status-${row.id}`} data-status={row.status}>
      <StatusBadge status={row.status} />
    </span>
  );
}

function AppCell({ method, locale }: { method: MethodHandle; locale: Locale }) {
  return (
    <span data-testid="app-cell" data-method={method} style={{ display: "inline-block", maxWidth: "12ch", whiteSpace: "normal" }}>
      <Text as="span">{appLabel(method, locale)}</Text>
    </span>
  );
}

/** The date on two lines (day, then time), so the column stays narrow. */
function DateCell({ iso }: { iso: string }) {
  const [day, time] = formatDateTime(iso).split(" ");
  return (
    <Text as="span" numeric>
      <span style={{ whiteSpace: "nowrap" }}>{day}</span> <span style={{ whiteSpace: "nowrap" }}>{time}</span>
    </Text>
  );
}

function CountText({ count, limit }: { count: number; limit: number }) {
  const { t } = useAdmin();
  const n = count > limit ? `${formatCount(limit)}+` : formatCount(count);
  return (
    <Text as="p" tone="subdued" id="result-count">
      <span data-testid="result-count" data-count={count > limit ? `${limit}+` : String(count)}>
        {t("admin.console.count", { n })}
      </span>
    </Text>
  );
}

export default function TransactionsPage() {
  const { page, query, dates, dateErrors, exportForm, paymentTypes, apps, filtered, searchWindow, countLimit } = useLoaderData<typeof loader>();
  const { t, base, locale } = useAdmin();
  const navigate = useNavigate();
  const navigation = useNavigation();
  // A phone gets a list of cards (IndexTable's condensed mode); the server renders the table first.
  const { mdDown } = useBreakpoints();
  const current = { q: query.q ?? "", status: query.status ?? "", paymentType: query.paymentType ?? "", test: query.test ?? "", from: dates.from, to: dates.to };
  const chosenApps = (query.apps ?? []).join(",");
  const [filters, setFilters] = useState(current);
  const [appChoice, setAppChoice] = useState<string[]>(query.apps ?? []);
  useEffect(
    () => setFilters({ q: current.q, status: current.status, paymentType: current.paymentType, test: current.test, from: current.from, to: current.to }),
    [current.q, current.status, current.paymentType, current.test, current.from, current.to],
  );
  useEffect(() => setAppChoice(chosenApps ? chosenApps.split(",") : []), [chosenApps]);

  const statusOptions = [{ label: t("admin.transactions.allStatuses"), value: "" }, ...DISPLAY_STATUSES.map((s) => ({ label: t(STATUS_LABELS[s]), value: s }))];
  const methodOptions = [
    { label: t("admin.transactions.allMethods"), value: "" },
    ...paymentTypes.map((value) => ({ label: `${paymentTypeLabel(locale, value)} (${value})`, value })),
  ];
  const testOptions = [
    { label: t("admin.transactions.allModes"), value: "" },
    { label: t("admin.transactions.testOnly"), value: "test" },
    { label: t("admin.transactions.liveOnly"), value: "live" },
  ];
  const detailUrl = (row: TransactionRow) => `${base}/transactions/${encodeURIComponent(row.id)}`;
  const emptyState = filtered ? (
    <div data-testid="transactions-empty" data-empty="no-results">
      <EmptyState
        heading={t("admin.transactions.empty")}
        image={EMPTY_IMAGE}
        action={{ content: t("admin.transactions.clear"), url: `${base}/transactions` }}
      >
        <p>{t("admin.console.noResultsBody")}</p>
      </EmptyState>
    </div>
  ) : (
    <div data-testid="transactions-empty" data-empty="no-payments">
      <EmptyState heading={t("admin.console.emptyTitle")} image={EMPTY_IMAGE}>
        <p>{t("admin.console.emptyBody")}</p>
      </EmptyState>
    </div>
  );
  const headings: [{ title: string }, ...Array<{ title: string; alignment?: "end" }>] = [
    { title: "Payment ID" },
    { title: t("admin.console.app") },
    { title: t("admin.transactions.method") },
    { title: t("admin.transactions.amount"), alignment: "end" },
    { title: t("admin.transactions.status") },
    { title: t("admin.transactions.date") },
  ];

  return (
    <Page title={t("admin.transactions.title")} backAction={{ content: t("admin.nav.home"), url: base }} fullWidth>
      <BlockStack gap="400">
        <Card>
          <Form method="get" id="transaction-filters">
            <BlockStack gap="300">
              <TextField
                label={t("admin.transactions.search")}
                name="q"
                id="search"
                value={filters.q}
                onChange={(q) => setFilters((f) => ({ ...f, q }))}
                autoComplete="off"
                placeholder={t("admin.transactions.searchPlaceholder")}
                clearButton
                onClearButtonClick={() => setFilters((f) => ({ ...f, q: "" }))}
              />
              <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 5 }} gap="300">
                <Select label={t("admin.transactions.status")} name="status" id="status-filter" options={statusOptions} value={filters.status} onChange={(status) => setFilters((f) => ({ ...f, status }))} />
                <Select
                  label={t("admin.transactions.method")}
                  name="paymentType"
                  id="method-filter"
                  options={methodOptions}
                  value={filters.paymentType}
                  onChange={(paymentType) => setFilters((f) => ({ ...f, paymentType }))}
                  helpText={t("admin.transactions.methodHelp")}
                />
                <Select label={t("admin.transactions.mode")} name="test" id="test-filter" options={testOptions} value={filters.test} onChange={(test) => setFilters((f) => ({ ...f, test }))} />
                <TextField
                  label={t("admin.transactions.from")}
                  type="date"
                  name="from"
                  id="filter-from"
                  value={filters.from}
                  onChange={(from) => setFilters((f) => ({ ...f, from }))}
                  autoComplete="off"
                  error={dateErrors.from ? t(dateErrors.from) : undefined}
                />
                <TextField
                  label={t("admin.transactions.to")}
                  type="date"
                  name="to"
                  id="filter-to"
                  value={filters.to}
                  onChange={(to) => setFilters((f) => ({ ...f, to }))}
                  autoComplete="off"
                  error={dateErrors.to ? t(dateErrors.to) : undefined}
                />
              </InlineGrid>
              {apps.length > 1 ? (
                <fieldset id="app-filter" data-testid="app-filter" style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
                  <BlockStack gap="100">
                    <legend>
                      <Text as="span">{t("admin.console.appFilter")}</Text>
                    </legend>
                    <InlineStack gap="300" wrap>
                      {apps.map((app) => (
                        <Checkbox
                          key={app}
                          id={`app-filter-${app}`}
                          name="app"
                          value={app}
                          label={appLabel(app, locale)}
                          checked={appChoice.includes(app)}
                          onChange={(checked) => setAppChoice((chosen) => (checked ? [...chosen, app] : chosen.filter((m) => m !== app)))}
                        />
                      ))}
                    </InlineStack>
                    <Text as="span" tone="subdued" variant="bodySm">
                      {t("admin.console.appFilterHelp")}
                    </Text>
                  </BlockStack>
                </fieldset>
              ) : null}
              <InlineStack gap="200" align="end">
                <Button url={`${base}/transactions`}>{t("admin.transactions.clear")}</Button>
                <Button submit variant="primary" loading={navigation.state === "loading" && navigation.location?.pathname === `${base}/transactions`}>
                  {t("admin.transactions.apply")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Card>
        {hasErrors(dateErrors) ? <Banner tone="critical" title={t("admin.transactions.filterError")} /> : null}
        {page.searchedSince ? (
          <Text as="p" tone="subdued" id="search-window">
            {t("admin.transactions.searchWindow", { since: formatDateTime(page.searchedSince), n: formatCount(searchWindow) })}
          </Text>
        ) : null}
        <Card padding="0">
          {page.rows.length ? (
            <Box paddingInline="400" paddingBlockStart="300">
              <CountText count={page.count ?? page.rows.length} limit={countLimit} />
            </Box>
          ) : null}
          <div id="transactions-table" data-testid="transactions-table" data-condensed={mdDown ? "true" : "false"}>
            <IndexTable
              condensed={mdDown}
              resourceName={{ singular: t("admin.transactions.singular"), plural: t("admin.transactions.plural") }}
              itemCount={page.rows.length}
              selectable={false}
              emptyState={emptyState}
              headings={headings}
            >
              {page.rows.map((row, index) => (
                <IndexTable.Row id={row.id} key={row.id} position={index}>
                  {mdDown ? (
                    <CondensedRow row={row} url={detailUrl(row)} t={t} locale={locale} />
                  ) : (
                    <>
                      <IndexTable.Cell>
                        <div data-testid="transaction-row" data-payment-id={row.id} data-method={row.method} data-status={row.status}>
                          <PaymentCell row={row} url={detailUrl(row)} t={t} />
                        </div>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <AppCell method={row.method} locale={locale} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <PaymentTypeCell row={row} t={t} locale={locale} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <AmountCell row={row} t={t} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <StatusCell row={row} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <DateCell iso={row.createdAt} />
                      </IndexTable.Cell>
                    </>
                  )}
                </IndexTable.Row>
              ))}
            </IndexTable>
          </div>
          <div style={{ padding: "var(--p-space-300)", display: "flex", justifyContent: "center" }}>
            <Pagination
              hasPrevious={Boolean(page.previous)}
              hasNext={Boolean(page.next)}
              previousTooltip={t("admin.transactions.newer")}
              nextTooltip={t("admin.transactions.older")}
              onPrevious={() => page.previous && navigate(`?${queryString(query, { before: page.previous })}`)}
              onNext={() => page.next && navigate(`?${queryString(query, { after: page.next })}`)}
            />
          </div>
        </Card>
        <ExportCard form={exportForm} installed={apps} />
      </BlockStack>
    </Page>
  );
}

/** One payment as a card of the phone's list: the same cells, stacked. */
function CondensedRow({ row, url, t, locale }: { row: TransactionRow; url: string; t: Translate; locale: Locale }): ReactNode {
  return (
    <div data-testid="transaction-row" data-payment-id={row.id} data-method={row.method} data-status={row.status} style={{ padding: "var(--p-space-300) var(--p-space-400)", width: "100%", minWidth: 0 }}>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
          <Box minWidth="0">
            <PaymentCell row={row} url={url} t={t} />
          </Box>
          <StatusCell row={row} />
        </InlineStack>
        <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
          <BlockStack gap="050">
            <AppCell method={row.method} locale={locale} />
            <PaymentTypeCell row={row} t={t} locale={locale} />
          </BlockStack>
          <AmountCell row={row} t={t} />
        </InlineStack>
        <Text as="span" tone="subdued" variant="bodySm">
          <DateCell iso={row.createdAt} />
        </Text>
      </BlockStack>
    </div>
  );
}
