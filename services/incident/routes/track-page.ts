/**
 * D4.6: the owner's tracking page at `/track/{token}`, in Japanese. It reads the token from its own
 * address and polls `GET /v1/track/{token}` every 10 seconds; no map tiles, fonts or scripts from
 * elsewhere (the CSP in track.ts forbids them). The browser's timer here is the owner's, not the service's.
 */
export const TRACK_PAGE = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>サービスカーの到着予定</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; background: #f6f7f9; color: #1d2330; }
  main { max-width: 28rem; margin: 0 auto; background: #fff; border-radius: 12px; padding: 1.5rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.2rem; margin: 0 0 1rem; }
  .eta { font-size: 2.4rem; font-weight: 700; margin: .5rem 0; }
  .muted { color: #5b6475; font-size: .9rem; }
</style>
</head>
<body>
<main>
  <h1>ロードサービスが向かっています</h1>
  <p class="muted">到着までの目安</p>
  <p class="eta" id="eta">確認中…</p>
  <p id="where"></p>
  <p class="muted" id="updated"></p>
</main>
<script>
(function () {
  var token = location.pathname.split('/').pop();
  var eta = document.getElementById('eta');
  var where = document.getElementById('where');
  var updated = document.getElementById('updated');
  function show(view) {
    if (view.etaMinutes === null) eta.textContent = view.serviceCar ? '計算中' : '出発準備中';
    else if (view.etaMinutes === 0) eta.textContent = 'まもなく到着';
    else eta.textContent = '約 ' + view.etaMinutes + ' 分';
    where.textContent = view.serviceCar ? 'サービスカーの位置: ' + view.serviceCar.position.lat.toFixed(4) + ', ' + view.serviceCar.position.lon.toFixed(4) : 'サービスカーの位置はまだ届いていません。';
    updated.textContent = '最終更新: ' + new Date().toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo' });
  }
  function poll() {
    fetch('/v1/track/' + encodeURIComponent(token), { cache: 'no-store' }).then(function (r) {
      if (r.status === 410) { eta.textContent = '対応済み'; where.textContent = 'サービスカーは到着したか、手配が取り消されました。'; return; }
      if (r.status === 404 || r.status === 400) { eta.textContent = '—'; where.textContent = 'このリンクは無効です。'; return; }
      if (!r.ok) throw new Error(String(r.status));
      return r.json().then(function (view) { show(view); setTimeout(poll, 10000); });
    }).catch(function () { updated.textContent = '通信できません。しばらくして再読み込みしてください。'; setTimeout(poll, 30000); });
  }
  poll();
})();
</script>
</body>
</html>
`;
