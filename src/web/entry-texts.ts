import { resolveLang, type Lang } from './texts';

/** Texts of the staff entry page, in the languages of the tenant page. */
const en = {
  banner:
    'Staff entry: you are entering a paper form or an interview for this survey, not answering it yourself.',
  key: 'Your staff key',
  keyHint: 'Kept in this browser tab only.',
  mode: 'Mode',
  paper: 'Paper form',
  telephone: 'Telephone interview',
  faceToFace: 'Face-to-face interview',
  serial: 'Serial number of the form',
  code: 'Dwelling code (letter campaigns, if written on the form)',
  sending: 'Saving…',
  stored: 'Stored and counted.',
  firstEntry: 'First entry of form {serial} kept. It counts once a second entry agrees with it.',
  differences:
    'The second entry of form {serial} differs from the first. Choose what is written on the form:',
  first: 'First entry',
  second: 'Second entry',
  noAnswer: '(no answer)',
  codeOnForm: 'Dwelling code as written on the form',
  resolve: 'Save the resolution',
  next: 'Enter the next form',
  refused: 'Not stored: {reason}',
  serialRequired: 'Write the serial number printed on the form.',
  keyRequired: 'Enter your staff key first.',
};

/** Name of an entry page text. */
export type EntryTextKey = keyof typeof en;

const pl: Record<EntryTextKey, string> = {
  banner:
    'Wprowadzanie przez personel: wprowadzasz ankietę papierową lub wywiad, a nie odpowiadasz we własnym imieniu.',
  key: 'Twój klucz pracownika',
  keyHint: 'Przechowywany tylko w tej karcie przeglądarki.',
  mode: 'Sposób zebrania',
  paper: 'Ankieta papierowa',
  telephone: 'Wywiad telefoniczny',
  faceToFace: 'Wywiad bezpośredni',
  serial: 'Numer seryjny formularza',
  code: 'Kod lokalu (kampanie listowe, jeśli wpisano go na formularzu)',
  sending: 'Zapisywanie…',
  stored: 'Zapisano i policzono.',
  firstEntry:
    'Zapisano pierwsze wprowadzenie formularza {serial}. Zostanie policzony, gdy drugie wprowadzenie będzie zgodne.',
  differences:
    'Drugie wprowadzenie formularza {serial} różni się od pierwszego. Wybierz to, co jest na formularzu:',
  first: 'Pierwsze wprowadzenie',
  second: 'Drugie wprowadzenie',
  noAnswer: '(brak odpowiedzi)',
  codeOnForm: 'Kod lokalu wpisany na formularzu',
  resolve: 'Zapisz rozstrzygnięcie',
  next: 'Wprowadź kolejny formularz',
  refused: 'Nie zapisano: {reason}',
  serialRequired: 'Wpisz numer seryjny wydrukowany na formularzu.',
  keyRequired: 'Najpierw wpisz klucz pracownika.',
};

const uk: Record<EntryTextKey, string> = {
  banner: 'Введення персоналом: ви вводите паперову анкету або інтерв’ю, а не відповідаєте від свого імені.',
  key: 'Ваш ключ працівника',
  keyHint: 'Зберігається лише в цій вкладці браузера.',
  mode: 'Спосіб збору',
  paper: 'Паперова анкета',
  telephone: 'Телефонне інтерв’ю',
  faceToFace: 'Особисте інтерв’ю',
  serial: 'Серійний номер анкети',
  code: 'Код помешкання (листові кампанії, якщо вказано на анкеті)',
  sending: 'Збереження…',
  stored: 'Збережено й зараховано.',
  firstEntry:
    'Перше введення анкети {serial} збережено. Її буде зараховано, коли друге введення збігатиметься.',
  differences: 'Друге введення анкети {serial} відрізняється від першого. Оберіть те, що написано в анкеті:',
  first: 'Перше введення',
  second: 'Друге введення',
  noAnswer: '(немає відповіді)',
  codeOnForm: 'Код помешкання, як написано в анкеті',
  resolve: 'Зберегти рішення',
  next: 'Ввести наступну анкету',
  refused: 'Не збережено: {reason}',
  serialRequired: 'Впишіть серійний номер, надрукований на анкеті.',
  keyRequired: 'Спершу введіть ключ працівника.',
};

const ru: Record<EntryTextKey, string> = {
  banner: 'Ввод сотрудником: вы вводите бумажную анкету или интервью, а не отвечаете от своего имени.',
  key: 'Ваш ключ сотрудника',
  keyHint: 'Хранится только в этой вкладке браузера.',
  mode: 'Способ сбора',
  paper: 'Бумажная анкета',
  telephone: 'Телефонное интервью',
  faceToFace: 'Личное интервью',
  serial: 'Серийный номер анкеты',
  code: 'Код квартиры (почтовые кампании, если указан на анкете)',
  sending: 'Сохранение…',
  stored: 'Сохранено и учтено.',
  firstEntry: 'Первый ввод анкеты {serial} сохранён. Она будет учтена, когда второй ввод совпадёт с первым.',
  differences: 'Второй ввод анкеты {serial} отличается от первого. Выберите то, что написано в анкете:',
  first: 'Первый ввод',
  second: 'Второй ввод',
  noAnswer: '(нет ответа)',
  codeOnForm: 'Код квартиры, как написано в анкете',
  resolve: 'Сохранить решение',
  next: 'Ввести следующую анкету',
  refused: 'Не сохранено: {reason}',
  serialRequired: 'Впишите серийный номер, напечатанный на анкете.',
  keyRequired: 'Сначала введите ключ сотрудника.',
};

const ka: Record<EntryTextKey, string> = {
  banner: 'თანამშრომლის მიერ შეყვანა: თქვენ შეგყავთ ქაღალდის კითხვარი ან ინტერვიუ და არა საკუთარი პასუხები.',
  key: 'თანამშრომლის გასაღები',
  keyHint: 'ინახება მხოლოდ ბრაუზერის ამ ჩანართში.',
  mode: 'შეგროვების გზა',
  paper: 'ქაღალდის კითხვარი',
  telephone: 'სატელეფონო ინტერვიუ',
  faceToFace: 'პირისპირ ინტერვიუ',
  serial: 'კითხვარის სერიული ნომერი',
  code: 'ბინის კოდი (წერილობითი კამპანიებისთვის, თუ კითხვარზე წერია)',
  sending: 'ინახება…',
  stored: 'შენახულია და დათვლილია.',
  firstEntry: 'კითხვარის {serial} პირველი შეყვანა შენახულია. ის დაითვლება, როცა მეორე შეყვანა დაემთხვევა.',
  differences: 'კითხვარის {serial} მეორე შეყვანა განსხვავდება პირველისგან. აირჩიეთ ის, რაც კითხვარზე წერია:',
  first: 'პირველი შეყვანა',
  second: 'მეორე შეყვანა',
  noAnswer: '(პასუხი არ არის)',
  codeOnForm: 'ბინის კოდი, როგორც კითხვარზე წერია',
  resolve: 'გადაწყვეტილების შენახვა',
  next: 'შემდეგი კითხვარის შეყვანა',
  refused: 'არ შეინახა: {reason}',
  serialRequired: 'ჩაწერეთ კითხვარზე დაბეჭდილი სერიული ნომერი.',
  keyRequired: 'ჯერ შეიყვანეთ თანამშრომლის გასაღები.',
};

const TABLES: Record<Lang, Record<EntryTextKey, string>> = { en, pl, uk, ru, ka };

/** Every text of the entry page in `lang` (English when unknown). */
export function entryTexts(lang: string): Readonly<Record<EntryTextKey, string>> {
  return TABLES[resolveLang(lang)];
}
